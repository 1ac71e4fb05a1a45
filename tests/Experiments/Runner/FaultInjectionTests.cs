using Reasoning.Core.Diagnostics;
using Reasoning.Core.Storage;
using Reasoning.Experiments.Records;

namespace Reasoning.Tests.Experiments.Runner;

/// <summary>
/// Kills a real <c>run</c> at each named commit point of a unit (<see cref="FaultPoint"/>), then runs the same command
/// again: the table, cost lines and reuse lines included, must equal an uninterrupted run's. The spec has a base
/// policy, a strategy that trains a reward model (best-of-n) and one that takes it from the cache (beam).
/// </summary>
public sealed class FaultInjectionTests
{
    private const string Reward = "label_problems: 8, samples_per_problem: 2, reward_steps: 3, reward_batch_size: 4, max_new_tokens: 20";

    private static readonly string Strategies = $$"""
          - strategy: best-of-n
            options: {samples: 2, {{Reward}}}
          - strategy: beam
            options: {width: 2, expansions_per_beam: 2, max_step_tokens: 10, max_depth: 3, {{Reward}}}
        """;

    private static readonly Lazy<string> Uninterrupted = new(() =>
    {
        using var reference = Experiment();
        Assert.Equal(0, ResumeAfterKillTests.RunToEnd(reference));
        return MicroExperiment.DeterministicTable(File.ReadAllText(Path.Combine(reference.RunFolder, "table.md")));
    });

    private static MicroExperiment Experiment() => new(strategies: Strategies, name: "faults", seeds: "[1]", test: 3);

    [Theory]
    [InlineData(FaultPoint.AfterBaseCheckpoint)]   // checkpoint saved; no cost, no record
    [InlineData(FaultPoint.AfterBaseCost)]         // checkpoint and cost saved; no record
    [InlineData(FaultPoint.AfterUnitRecord)]       // the base policy's record appended; its checkpoint not committed
    [InlineData(FaultPoint.AfterRewardModelSave)]  // best-of-n's reward model saved; no record
    [InlineData(FaultPoint.BeforeUnitRecord + "@2")] // best-of-n done, its record not appended
    [InlineData(FaultPoint.AfterUnitRecord + "@2")] // best-of-n's record appended; its reward model not committed
    public void AKillAtACommitPointResumesToTheTableOfAnUninterruptedRun(string point)
    {
        string expected = Uninterrupted.Value;
        using var experiment = Experiment();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int killed = ResumeAfterKillTests.RunToEnd(experiment, new Dictionary<string, string> { [FaultPoint.Variable] = point }, errors.Enqueue);
        Assert.NotEqual(0, killed);
        Assert.Contains(errors, line => line.StartsWith($"fault injection: killed at {point.Split('@')[0]}", StringComparison.Ordinal));
        IReadOnlyList<RunRecord> before = RecordLog.Read(experiment.RecordsPath).Records;
        string cache = Path.Combine(experiment.Folder, "results", "cache");
        var uncommitted = Directory.EnumerateFileSystemEntries(cache, "*", SearchOption.AllDirectories)
            .Where(e => !e.EndsWith(ModelCache.CommitSuffix, StringComparison.Ordinal) && !File.Exists(e + ModelCache.CommitSuffix) && !e.EndsWith(".cost.json", StringComparison.Ordinal)
                && !Directory.Exists(e))
            .ToList();
        Assert.NotEmpty(uncommitted); // the kill left a model the records do not vouch for

        Assert.Equal(0, ResumeAfterKillTests.RunToEnd(experiment));

        string actual = MicroExperiment.DeterministicTable(File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md")));
        Assert.True(expected == actual, $"killed at {point} ({before.OfType<UnitFinished>().Count()} units had finished):\n{expected}\n---\n{actual}");
    }

    private static readonly string TrainingLoops = $$"""
          - strategy: best-of-n
            options: {samples: 2, label_problems: 8, samples_per_problem: 2, reward_steps: 6, reward_batch_size: 4, max_new_tokens: 20}
          - strategy: r1-grpo
            options: {steps: 6, prompts_per_step: 2, group_size: 2, held_out_problems: 4, evaluate_every: 2, max_response_length: 20}
        """;

    private static readonly Lazy<(string Table, IReadOnlyList<RunRecord> Records, byte[] Policy)> UninterruptedLoops = new(() =>
    {
        using var reference = LoopsExperiment();
        Assert.Equal(0, ResumeAfterKillTests.RunToEnd(reference));
        return (MicroExperiment.DeterministicTable(File.ReadAllText(Path.Combine(reference.RunFolder, "table.md"))), RecordLog.Read(reference.RecordsPath).Records,
            File.ReadAllBytes(Path.Combine(reference.RunFolder, "scratch", "r1-grpo-seed1", "policy.ckpt")));
    });

    /// <summary>Snapshots every 4 steps: SFT 12 steps, reward model 6, GRPO 6.</summary>
    private static MicroExperiment LoopsExperiment() => new(strategies: TrainingLoops, name: "loops", seeds: "[1]", test: 3, topLevel: "snapshot_every: 4");

    [Theory]
    [InlineData(FaultPoint.SftStep + "@7", "seed 1 base-policy: resuming the fine-tuning at step 4/12")]
    [InlineData(FaultPoint.RewardStep + "@5", "seed 1 best-of-n: resuming the reward model's training at step 4/6")]
    [InlineData(FaultPoint.GrpoStep + "@5", "seed 1 r1-grpo: resuming GRPO at step 4/6")]
    public void AKillInsideATrainingLoopResumesFromItsSnapshotToTheSameTableCurvesAndPolicy(string point, string resumedMessage)
    {
        (string table, IReadOnlyList<RunRecord> records, byte[] policy) = UninterruptedLoops.Value;
        using var experiment = LoopsExperiment();
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Assert.NotEqual(0, ResumeAfterKillTests.RunToEnd(experiment, new Dictionary<string, string> { [FaultPoint.Variable] = point }, errors.Enqueue));
        Assert.Contains(errors, line => line.StartsWith($"fault injection: killed at {point.Split('@')[0]}", StringComparison.Ordinal));
        Assert.Single(Directory.GetDirectories(Path.Combine(experiment.RunFolder, "scratch"), "step-0000004", SearchOption.AllDirectories));

        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (var process = ResumeAfterKillTests.Start(experiment, output.Enqueue, output.Enqueue))
        {
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)));
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }

        Assert.Contains(output, line => line.Contains(resumedMessage, StringComparison.Ordinal));

        // The same table (every charge, each made once), the same curves, and the same GRPO policy, byte for byte.
        Assert.Equal(table, MicroExperiment.DeterministicTable(File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"))));
        IReadOnlyList<RunRecord> after = RecordLog.Read(experiment.RecordsPath).Records;
        Assert.Equal(records.OfType<CurvePoint>().Where(c => !c.Curve.Contains("bytes", StringComparison.Ordinal)),
            after.OfType<CurvePoint>().Where(c => !c.Curve.Contains("bytes", StringComparison.Ordinal)));
        Assert.Equal(
            records.OfType<PhaseRecord>().Select(p => (p.Label, p.Phase, p.GeneratedTokens, p.ProcessedTokens, p.TrainedTokens, p.Flops)),
            after.OfType<PhaseRecord>().Select(p => (p.Label, p.Phase, p.GeneratedTokens, p.ProcessedTokens, p.TrainedTokens, p.Flops)));
        Assert.Equal(policy, File.ReadAllBytes(Path.Combine(experiment.RunFolder, "scratch", "r1-grpo-seed1", "policy.ckpt")));
        Assert.Empty(Directory.GetDirectories(experiment.RunFolder, "snapshots", SearchOption.AllDirectories)); // removed once committed
    }
}
