using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reasoning.Experiments.Bench;
using Reasoning.Policy.Pretrained;
using TorchSharp;

namespace Reasoning.Experiments.Cli;

/// <summary>
/// <c>bench policy</c>: generation and training throughput, MFU, peak memory, loss parity and a soak,
/// for the C# stack and, in the same run, a PyTorch-eager peer (see <see cref="PolicyBenchmark"/>);
/// with <c>--shape</c>, greedy generation on a random model folder of a published model's shape instead
/// (see <see cref="PretrainedBenchmark"/>).
/// </summary>
internal static class BenchPolicyCommand
{
    /// <summary>The shapes <c>--shape</c> takes: real models, not the tiny smoke-test ones.</summary>
    public static IReadOnlyList<string> Shapes => ModelShapes.Names.Where(n => !n.StartsWith("tiny-", StringComparison.Ordinal)).ToList();

    public static Command Build()
    {
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures to this JSON file" };
        var preset = new Option<string>("--preset") { Description = "model of the generation rows: tiny or small (training measures both)", DefaultValueFactory = _ => "tiny" };
        var shape = new Option<string?>("--shape") { Description = $"instead: greedy prefill and decode, fp32 and bf16, on a random model folder of this shape ({string.Join(", ", Shapes)})" };
        var precision = new Option<string>("--precision") { Description = "with --shape: fp32, bf16 or both", DefaultValueFactory = _ => "both" };
        var quick = new Option<bool>("--quick") { Description = "fewer rounds, shorter turns, a 2,000-call soak (with --shape: one round, 32 new tokens)" };
        var python = new Option<string>("--python") { Description = "interpreter of the PyTorch peer", DefaultValueFactory = _ => PythonPeer.DefaultInterpreter };
        var noPeer = new Option<bool>("--no-peer") { Description = "measure the C# stack only" };
        var command = new Command("policy", "Policy throughput, MFU, memory, parity and a soak, beside a PyTorch-eager peer measured in the same run.")
        {
            json, preset, shape, precision, quick, python, noPeer,
        };
        command.SetAction(result =>
        {
            FileInfo? file = result.GetValue(json);
            string? interpreter = result.GetValue(noPeer) ? null : result.GetValue(python)!;
            object report;
            if (result.GetValue(shape) is { } name)
            {
                if (!Shapes.Contains(name))
                {
                    Console.Error.WriteLine($"--shape must be one of {string.Join(", ", Shapes)}, not '{name}'");
                    return 2;
                }

                if (result.GetResult(preset) is { Implicit: false })
                {
                    Console.Error.WriteLine("--preset and --shape exclude each other: --shape measures a model folder of that shape");
                    return 2;
                }

                string[]? precisions = result.GetValue(precision) switch
                {
                    "both" => ["fp32", "bf16"],
                    "fp32" => ["fp32"],
                    "bf16" => ["bf16"],
                    _ => null,
                };
                if (precisions is null)
                {
                    Console.Error.WriteLine($"--precision must be fp32, bf16 or both, not '{result.GetValue(precision)}'");
                    return 2;
                }

                PretrainedBenchSettings settings = (result.GetValue(quick) ? PretrainedBenchSettings.Quick(name) : new PretrainedBenchSettings(name)) with { Precisions = precisions };
                string invocation = $"dotnet run -c Release --project experiments -- bench policy --shape {name}"
                    + (precisions.Length == 1 ? $" --precision {precisions[0]}" : "") + (result.GetValue(quick) ? " --quick" : "") + (file is null ? "" : $" --json {file}");
                report = RunPretrained(settings, interpreter, invocation, Console.Out);
            }
            else
            {
                string model = result.GetValue(preset)!.ToLowerInvariant();
                if (model is not ("tiny" or "small"))
                {
                    Console.Error.WriteLine($"--preset must be tiny or small, not '{model}'");
                    return 2;
                }

                PolicyBenchSettings settings = result.GetValue(quick) ? PolicyBenchSettings.Quick(model) : new PolicyBenchSettings(model);
                string invocation = "dotnet run -c Release --project experiments -- bench policy" + (model == "tiny" ? "" : $" --preset {model}")
                    + (result.GetValue(quick) ? " --quick" : "") + (file is null ? "" : $" --json {file}");
                report = Run(settings, interpreter, invocation, Console.Out);
            }

            if (file is not null)
            {
                var options = new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
                File.WriteAllText(file.FullName, JsonSerializer.Serialize(report, report.GetType(), options) + "\n");
                Console.Out.WriteLine($"wrote {file.FullName}");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Starts the peer (unless <paramref name="interpreter"/> is null), runs the benchmark, prints the stacks, any notes and the table.</summary>
    public static PolicyBenchReport Run(PolicyBenchSettings settings, string? interpreter, string invocation, TextWriter output) =>
        WithStacks(settings.Threads, interpreter, output, (csharp, peer, skipped, notes) =>
        {
            PolicyBenchReport report = PolicyBenchmark.Run(settings, csharp, peer, skipped, notes, invocation, Console.Error);
            PrintHeader(output, report.Machine, report.LoadAverageAtStart, report.LoadAverageAtEnd, report.CSharp.Name, report.CSharp.Description,
                report.Peer?.Name, report.Peer?.Description, report.Notes);
            output.WriteLine(PolicyBenchTable.Render(report));
            if (new[] { report.CSharp, report.Peer }.Any(s => s?.Training.Any(t => t.ModelFlopsUtilisation > 1) == true))
            {
                output.WriteLine();
                output.WriteLine("warning: training ran faster than the matmul peak measured first, so the machine was slower then (other load?); the MFU figures are not meaningful: run again");
            }

            return report;
        });

    /// <summary>As <see cref="Run"/>, for <c>--shape</c>.</summary>
    public static PretrainedBenchReport RunPretrained(PretrainedBenchSettings settings, string? interpreter, string invocation, TextWriter output) =>
        WithStacks(settings.Threads, interpreter, output, (csharp, peer, skipped, notes) =>
        {
            PretrainedBenchReport report = PretrainedBenchmark.Run(settings, csharp, peer, skipped, notes, invocation, Console.Error);
            PretrainedWorkload w = report.Workload;
            PrintHeader(output, report.Machine, report.LoadAverageAtStart, report.LoadAverageAtEnd, report.CSharpName, report.CSharpDescription,
                report.PeerName, report.PeerDescription,
                [
                    .. report.Notes,
                    $"model: random {w.Family} weights in {w.Shape}'s shape, {w.Parameters:N0} parameters, one fp32 safetensors folder ({w.FolderBytes / 1048576.0:N0} MB, deleted afterwards) that both stacks load; bf16: cast after loading",
                    $"every rate is the median of {settings.Rounds} timed call(s) per stack, the stacks taking turns; prefill = until every row's first token is on the host, decode = the rest",
                ]);
            output.WriteLine(PretrainedBenchTable.Render(report));
            return report;
        });

    /// <summary>
    /// Sets the thread count, makes the C# stack and starts the peer (unless <paramref name="interpreter"/> is null: then
    /// the reason it is skipped), runs <paramref name="benchmark"/> with them, and stops the peer whatever happens.
    /// </summary>
    private static T WithStacks<T>(
        int threads, string? interpreter, TextWriter output, Func<TorchSharpStack, PythonPeer?, string?, IReadOnlyList<string>, T> benchmark)
    {
        torch.set_num_threads(threads);
        using var csharp = new TorchSharpStack();
        PythonPeer? peer = StartPeer(interpreter, threads, output, out string? skipped, out IReadOnlyList<string> notes);
        try
        {
            return benchmark(csharp, peer, skipped, notes);
        }
        finally
        {
            peer?.Dispose();
        }
    }

    private static PythonPeer? StartPeer(string? interpreter, int threads, TextWriter output, out string? skipped, out IReadOnlyList<string> notes)
    {
        notes = [];
        if (interpreter is null)
        {
            skipped = "--no-peer";
            return null;
        }

        output.WriteLine($"Starting the PyTorch-eager peer as a subprocess: {interpreter} {PythonPeer.ScriptPath} (measured in turns with the C# stack, never at the same time).");
        PythonPeer? peer = PythonPeer.TryStart(interpreter, null, threads, out string reason, out notes);
        skipped = peer is null ? reason : null;
        if (peer is null)
        {
            output.WriteLine($"The peer column is skipped: {reason}");
        }

        return peer;
    }

    private static void PrintHeader(
        TextWriter output, string machine, string loadAtStart, string loadAtEnd, string csharpName, string csharpDescription, string? peerName, string? peerDescription,
        IReadOnlyList<string> notes)
    {
        output.WriteLine();
        output.WriteLine($"machine: {machine}; load average {loadAtStart} at the start, {loadAtEnd} at the end");
        output.WriteLine($"{csharpName}: {csharpDescription}");
        if (peerName is not null)
        {
            output.WriteLine($"{peerName}: {peerDescription}");
        }

        foreach (string note in notes)
        {
            output.WriteLine(note);
        }

        output.WriteLine();
    }
}
