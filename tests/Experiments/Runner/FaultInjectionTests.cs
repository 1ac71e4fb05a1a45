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
}
