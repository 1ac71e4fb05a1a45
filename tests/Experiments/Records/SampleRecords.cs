using Reasoning.Experiments.Records;

namespace Reasoning.Tests.Experiments.Records;

/// <summary>Small, hand-checked runs for the record log and report tests.</summary>
internal static class SampleRecords
{
    public const long MiB = 1024 * 1024;

    public static RunEnvironment Environment { get; } =
        new(".NET 10.0.12", "0.107.0", "2.10.0", "Debian 12", "Test CPU", 2, "cpu", 2, "abc1234");

    public static RunStarted Started { get; } = new("demo", "0123456789ab", "name: demo\n", "2026-01-01T00:00:00Z", Environment);

    /// <summary>One record of every type (the round-trip set).</summary>
    public static IReadOnlyList<RunRecord> OneOfEach { get; } =
    [
        Started,
        new UnitStarted(7, "search", "prm-mcts", 50),
        new AttemptRecord(7, "search", "q-1", "42", "step 1\nanswer: 42", Correct: true, Tokens: 12),
        new AttemptRecord(7, "search", "q-2", null, "no answer", Correct: false, Tokens: 3),
        new PhaseRecord(7, "search", "train", 1, 2, 3, 4.5e12, 6.25, 7 * MiB, null, 8 * MiB, Reused: false),
        new PhaseRecord(7, "search", "inference", 10, 20, 0, 1.5, 0.5, 9 * MiB, 3 * MiB, 10 * MiB, Reused: true),
        new CurvePoint(7, "search", "prm/loss", 100, 0.125),
        new CacheCommitted(7, "search", ["reward-models/reward-0123456789abcdef.json"]),
        new UnitFinished(7, "search", 50, 45),
        new UnitFailed(8, "grpo", "train", "InvalidOperationException: out of luck"),
    ];

    /// <summary>
    /// A run with a reused base policy, a two-seed strategy (search: 45/50 and 40/50), a one-seed strategy
    /// (grpo: 36/50, with a reward curve) and a strategy whose only unit failed (broken).
    /// </summary>
    public static IReadOnlyList<RunRecord> SmallRun() =>
    [
        Started,
        new UnitStarted(1, RunRecord.BasePolicyLabel, RunRecord.BasePolicyLabel, 0),
        new PhaseRecord(1, RunRecord.BasePolicyLabel, "sft", 0, 1_000_000, 1_000_000, 6e12, 120, 512 * MiB, null, 300 * MiB, Reused: true),
        new CurvePoint(1, RunRecord.BasePolicyLabel, "sft/loss", 0, 2.0),
        new CurvePoint(1, RunRecord.BasePolicyLabel, "sft/loss", 100, 1.0),
        new UnitFinished(1, RunRecord.BasePolicyLabel, 0, 0),

        new UnitStarted(1, "search", "prm-mcts", 50),
        new PhaseRecord(1, "search", "train", 10_000, 200_000, 100_000, 1.5e12, 30, 1024 * MiB, null, 800 * MiB, false),
        new AttemptRecord(1, "search", "q-1", "4", "answer: 4", true, 3),
        new PhaseRecord(1, "search", "inference", 50_000, 100_000, 0, 5e11, 5.0, 1536 * MiB, null, 700 * MiB, false),
        new UnitFinished(1, "search", 50, 45),

        new UnitStarted(1, "grpo", "grpo", 50),
        new PhaseRecord(1, "grpo", "train", 64_000, 400_000, 300_000, 3e13, 600, 3072 * MiB, null, 2000 * MiB, false),
        new CurvePoint(1, "grpo", "grpo/reward", 0, 0.25),
        new CurvePoint(1, "grpo", "grpo/reward", 10, 0.5),
        new CurvePoint(1, "grpo", "grpo/reward", 20, 0.75),
        new PhaseRecord(1, "grpo", "inference", 25_000, 60_000, 0, 2.5e11, 2.5, 1024 * MiB, null, 600 * MiB, false),
        new UnitFinished(1, "grpo", 50, 36),

        new UnitStarted(1, "broken", "plugin:Broken", 50),
        new UnitFailed(1, "broken", "train", "InvalidOperationException: the plug-in threw"),

        new UnitStarted(2, "search", "prm-mcts", 50),
        new PhaseRecord(2, "search", "train", 12_000, 240_000, 120_000, 2.5e12, 50, 2048 * MiB, null, 800 * MiB, false),
        new PhaseRecord(2, "search", "inference", 60_000, 120_000, 0, 7e11, 6.0, 1200 * MiB, null, 700 * MiB, false),
        new UnitFinished(2, "search", 50, 40),
    ];
}
