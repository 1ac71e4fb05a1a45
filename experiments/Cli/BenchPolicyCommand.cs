using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reasoning.Experiments.Bench;
using TorchSharp;

namespace Reasoning.Experiments.Cli;

/// <summary>
/// <c>bench policy</c>: generation and training throughput, MFU, peak memory, loss parity and a soak,
/// for the C# stack and, in the same run, a PyTorch-eager peer (see <see cref="PolicyBenchmark"/>).
/// </summary>
internal static class BenchPolicyCommand
{
    public static Command Build()
    {
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures to this JSON file" };
        var preset = new Option<string>("--preset") { Description = "model of the generation rows: tiny or small (training measures both)", DefaultValueFactory = _ => "tiny" };
        var quick = new Option<bool>("--quick") { Description = "fewer rounds, shorter turns, a 2,000-call soak" };
        var python = new Option<string>("--python") { Description = "interpreter of the PyTorch peer", DefaultValueFactory = _ => PythonPeer.DefaultInterpreter };
        var noPeer = new Option<bool>("--no-peer") { Description = "measure the C# stack only" };
        var command = new Command("policy", "Policy throughput, MFU, memory, parity and a soak, beside a PyTorch-eager peer measured in the same run.")
        {
            json, preset, quick, python, noPeer,
        };
        command.SetAction(result =>
        {
            string model = result.GetValue(preset)!.ToLowerInvariant();
            if (model is not ("tiny" or "small"))
            {
                Console.Error.WriteLine($"--preset must be tiny or small, not '{model}'");
                return 2;
            }

            PolicyBenchSettings settings = result.GetValue(quick) ? PolicyBenchSettings.Quick(model) : new PolicyBenchSettings(model);
            FileInfo? file = result.GetValue(json);
            string invocation = "dotnet run -c Release --project experiments -- bench policy" + (model == "tiny" ? "" : $" --preset {model}")
                + (result.GetValue(quick) ? " --quick" : "") + (file is null ? "" : $" --json {file}");
            PolicyBenchReport report = Run(settings, result.GetValue(noPeer) ? null : result.GetValue(python)!, invocation, Console.Out);
            if (file is not null)
            {
                var options = new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
                File.WriteAllText(file.FullName, JsonSerializer.Serialize(report, options) + "\n");
                Console.Out.WriteLine($"wrote {file.FullName}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Starts the peer (unless <paramref name="interpreter"/> is null), runs the benchmark, prints the stacks, any notes and the table.</summary>
    public static PolicyBenchReport Run(PolicyBenchSettings settings, string? interpreter, string invocation, TextWriter output)
    {
        torch.set_num_threads(settings.Threads);
        using var csharp = new TorchSharpStack();
        PythonPeer? peer = null;
        string? skipped = null;
        IReadOnlyList<string> notes = [];
        if (interpreter is null)
        {
            skipped = "--no-peer";
        }
        else
        {
            output.WriteLine($"Starting the PyTorch-eager peer as a subprocess: {interpreter} {PythonPeer.ScriptPath} (measured in turns with the C# stack, never at the same time).");
            peer = PythonPeer.TryStart(interpreter, null, settings.Threads, out string reason, out notes);
            if (peer is null)
            {
                skipped = reason;
                output.WriteLine($"The peer column is skipped: {reason}");
            }
        }

        try
        {
            PolicyBenchReport report = PolicyBenchmark.Run(settings, csharp, peer, skipped, notes, invocation, Console.Error);
            output.WriteLine();
            output.WriteLine($"machine: {report.Machine}; load average {report.LoadAverageAtStart} at the start, {report.LoadAverageAtEnd} at the end");
            output.WriteLine($"{report.CSharp.Name}: {report.CSharp.Description}");
            if (report.Peer is not null)
            {
                output.WriteLine($"{report.Peer.Name}: {report.Peer.Description}");
            }

            foreach (string note in report.Notes)
            {
                output.WriteLine(note);
            }

            output.WriteLine();
            output.WriteLine(PolicyBenchTable.Render(report));
            if (new[] { report.CSharp, report.Peer }.Any(s => s?.Training.Any(t => t.ModelFlopsUtilisation > 1) == true))
            {
                output.WriteLine();
                output.WriteLine("warning: training ran faster than the matmul peak measured first, so the machine was slower then (other load?); the MFU figures are not meaningful: run again");
            }

            return report;
        }
        finally
        {
            peer?.Dispose();
        }
    }
}
