using System.Diagnostics;
using Reasoning.Experiments.Records;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Experiments.Runner;

/// <summary>One writer per run folder (experiments/Records/RunFolderLock.cs): a second run is refused and told who holds the folder; a lock left by a killed run is taken over.</summary>
public sealed class RunFolderLockTests
{
    [Fact]
    public void WithinOneProcess_ASecondHolderIsRefusedUntilTheFirstReleases()
    {
        using var folder = new TempFolder();
        string runFolder = Path.Combine(folder.Path, "abc123");
        using (RunFolderLock first = RunFolderLock.Acquire(runFolder))
        {
            Assert.Null(first.PreviousHolder);
            var busy = Assert.Throws<RunFolderBusyException>(() => RunFolderLock.Acquire(runFolder));
            Assert.Equal($"this process (pid {Environment.ProcessId})", busy.Holder);
            Assert.StartsWith($"{runFolder} is being run by this process (pid {Environment.ProcessId})", busy.Message, StringComparison.Ordinal);
            Assert.StartsWith($"pid {Environment.ProcessId} on {Environment.MachineName}, since ", File.ReadAllText(Path.Combine(runFolder, RunFolderLock.FileName)), StringComparison.Ordinal);
        }

        Assert.Equal("", File.ReadAllText(Path.Combine(runFolder, RunFolderLock.FileName))); // released cleanly: names nobody
        using RunFolderLock again = RunFolderLock.Acquire(runFolder);
        Assert.Null(again.PreviousHolder);
    }

    /// <summary>
    /// Two real processes on one folder: the second <c>run</c> exits 2 at once, naming the first's pid, and writes nothing;
    /// the first, killed with -9, leaves its lock naming it, and the next holder takes it over.
    /// </summary>
    [Fact]
    public void ASecondRunOnTheSameFolderExitsTwoNamingTheHolder_AndAKilledHoldersLockIsTakenOver()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var experiment = new MicroExperiment(name: "locked", fineTuningSteps: 1_000_000);
        using var training = new ManualResetEventSlim();
        using Process first = ResumeAfterKillTests.Start(experiment, line => { if (line.Contains("base-policy: step", StringComparison.Ordinal)) training.Set(); });
        try
        {
            Assert.True(training.Wait(TimeSpan.FromMinutes(1)), "the first run's fine-tuning never reported a step");
            long recordsBefore = new FileInfo(experiment.RecordsPath).Length;
            var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using (Process second = ResumeAfterKillTests.Start(experiment, onError: errors.Enqueue))
            {
                Assert.True(second.WaitForExit(TimeSpan.FromMinutes(1)), "the second run did not stop");
                second.WaitForExit(); // drains the redirected output
                Assert.Equal(2, second.ExitCode);
            }

            Assert.Contains(errors, line => line.Contains($"is being run by pid {first.Id} on {Environment.MachineName}", StringComparison.Ordinal));
            Assert.Equal(recordsBefore, new FileInfo(experiment.RecordsPath).Length);
            Assert.False(first.HasExited, "the first run stopped");
        }
        finally
        {
            first.Kill(entireProcessTree: true); // SIGKILL: the lock file keeps naming it
            first.WaitForExit();
        }

        using RunFolderLock taken = RunFolderLock.Acquire(experiment.RunFolder);
        Assert.StartsWith($"pid {first.Id} on ", taken.PreviousHolder, StringComparison.Ordinal);
    }
}
