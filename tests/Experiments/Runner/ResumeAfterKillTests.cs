using System.Diagnostics;
using System.Runtime.InteropServices;
using Reasoning.Experiments.Records;

namespace Reasoning.Tests.Experiments.Runner;

/// <summary>
/// Kills a real <c>run</c> process at a random point and runs the same command again: the table must equal
/// that of an uninterrupted run (time and memory columns aside, which no two runs share).
/// </summary>
public sealed class ResumeAfterKillTests
{
    internal static Process Start(
        MicroExperiment experiment, Action<string>? onOutput = null, Action<string>? onError = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Reasoning.Experiments.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = experiment.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "exec", dll, "run", experiment.SpecPath, "--plain" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => onOutput?.Invoke(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => onError?.Invoke(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static int RunToEnd(MicroExperiment experiment, IReadOnlyDictionary<string, string>? environment = null, Action<string>? onError = null)
    {
        using Process process = Start(experiment, onError: onError, environment: environment);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), "the run did not end within 3 minutes");
        process.WaitForExit(); // only the overload without a timeout waits for the redirected output to drain
        return process.ExitCode;
    }

    [Fact]
    public void AKilledRunStartedAgainGivesTheTableOfAnUninterruptedRun()
    {
        using var reference = new MicroExperiment(name: "killed");
        Assert.Equal(0, RunToEnd(reference));
        string expected = MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(reference.RunFolder, "table.md")));
        long fullLength = new FileInfo(reference.RecordsPath).Length;
        IReadOnlyList<RunRecord> all = RecordLog.Read(reference.RecordsPath).Records;
        // Kill once the log holds up to the last unit's start record: the last unit has not finished then.
        // Frames are [4-byte little-endian length][4-byte checksum][payload].
        byte[] bytes = File.ReadAllBytes(reference.RecordsPath);
        int lastStart = all.Select((r, i) => (r, i)).Last(x => x.r is UnitStarted).i;
        long lastStartEnd = 0;
        for (int frame = 0; frame <= lastStart; frame++)
        {
            lastStartEnd += 8 + BitConverter.ToInt32(bytes, (int)lastStartEnd);
        }

        int seed = Environment.TickCount;
        var random = new Random(seed);
        // A kill the watcher delivers late (a loaded machine) can land after the last unit ended; such a kill tests
        // nothing, so it is not counted: another run is killed at another point, up to five times.
        for (int attempt = 1; ; attempt++)
        {
            long killAt = 1 + random.NextInt64(lastStartEnd);
            using var killed = new MicroExperiment(name: "killed");
            using (Process process = Start(killed))
            {
                string records = Path.Combine(killed.Folder, "results");
                while (!process.HasExited)
                {
                    string? log = Directory.Exists(records) ? Directory.EnumerateFiles(records, "records.msgpack", SearchOption.AllDirectories).FirstOrDefault() : null;
                    if (log is not null && new FileInfo(log).Length >= killAt)
                    {
                        process.Kill(entireProcessTree: true);
                        break;
                    }

                    Thread.Sleep(1);
                }

                process.WaitForExit();
            }

            RecordLogContents kept = RecordLog.Read(killed.RecordsPath);
            if (kept.Records.OfType<UnitFinished>().Count() == all.OfType<UnitFinished>().Count())
            {
                Assert.True(attempt < 5, $"five kills (random seed {seed}) all landed after the run had finished every unit");
                continue;
            }

            Assert.Equal(0, RunToEnd(killed));
            string actual = MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(killed.RunFolder, "table.md")));
            Assert.True(expected == actual, $"random seed {seed}, attempt {attempt}, killed at {killAt} of {fullLength} bytes ({kept.ValidBytes} kept):\n{expected}\n---\n{actual}");
            return;
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);

    [Theory]
    [InlineData(2)]  // SIGINT, Ctrl+C
    [InlineData(15)] // SIGTERM, as sent by timeout, CI runners and container stops
    public void ASignalStopsARunPromptlyAndSaysHowToResume(int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var experiment = new MicroExperiment(name: "signalled", fineTuningSteps: 1_000_000);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var training = new ManualResetEventSlim();
        using Process process = Start(experiment, line => { if (line.Contains("base-policy: step", StringComparison.Ordinal)) training.Set(); }, errors.Enqueue);
        try
        {
            Assert.True(training.Wait(TimeSpan.FromMinutes(1)), "the base policy's fine-tuning never reported a step");
            Assert.Equal(0, SendSignal(process.Id, signal));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "the run went on after the signal");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.WaitForExit(); // drains the redirected output
        Assert.Equal(1, process.ExitCode);
        Assert.Contains(errors, line => line.Contains("interrupted; finished units are kept", StringComparison.Ordinal));
    }
}
