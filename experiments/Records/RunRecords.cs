using MessagePack;

namespace Reasoning.Experiments.Records;

/// <summary>
/// One entry of a run's append-only record log (<c>records.msgpack</c>). A run's tables and plots are a
/// function of its records alone (<c>reproduce</c>).
/// <para>
/// A unit of work is (seed, label): one strategy on one seed; the base policy's fine-tuning is the unit
/// (seed, <see cref="BasePolicyLabel"/>). A unit's records follow its <see cref="UnitStarted"/> and end with
/// <see cref="UnitFinished"/> or <see cref="UnitFailed"/>. A unit started again (after a kill) supersedes
/// the records of its earlier, unfinished start; a unit with no end record did not finish.
/// </para>
/// </summary>
[Union(0, typeof(RunStarted))]
[Union(1, typeof(UnitStarted))]
[Union(2, typeof(AttemptRecord))]
[Union(3, typeof(PhaseRecord))]
[Union(4, typeof(CurvePoint))]
[Union(5, typeof(UnitFinished))]
[Union(6, typeof(UnitFailed))]
[Union(7, typeof(BudgetChoice))]
[Union(8, typeof(CacheCommitted))]
public abstract record RunRecord
{
    /// <summary>The label of the base policy's unit; no strategy may use it.</summary>
    public const string BasePolicyLabel = "base-policy";
}

/// <summary>The environment of one invocation of <c>run</c> (a resumed run has several).</summary>
[MessagePackObject]
public sealed record RunStarted(
    [property: Key(0)] string Experiment,
    [property: Key(1)] string SpecHash,
    [property: Key(2)] string SpecText,
    [property: Key(3)] string StartedUtc,
    [property: Key(4)] RunEnvironment Environment) : RunRecord;

/// <summary>Versions and machine of a run.</summary>
[MessagePackObject]
public sealed record RunEnvironment(
    [property: Key(0)] string Dotnet,
    [property: Key(1)] string TorchSharp,
    [property: Key(2)] string LibTorch,
    [property: Key(3)] string OperatingSystem,
    [property: Key(4)] string Cpu,
    [property: Key(5)] int Cores,
    [property: Key(6)] string Device,
    [property: Key(7)] int Threads,
    [property: Key(8)] string? GitCommit);

/// <summary>A unit of work begins.</summary>
/// <param name="Strategy">The strategy's registered name or plug-in type (<see cref="RunRecord.BasePolicyLabel"/> for the base policy).</param>
/// <param name="Questions">Test questions it will be asked (0 for the base policy).</param>
[MessagePackObject]
public sealed record UnitStarted(
    [property: Key(0)] long Seed,
    [property: Key(1)] string Label,
    [property: Key(2)] string Strategy,
    [property: Key(3)] int Questions) : RunRecord;

/// <summary>One answer to one test question, verified by the runner.</summary>
/// <param name="Tokens">Length of <paramref name="Text"/> in policy tokens.</param>
/// <param name="CandidateScores">The reward model's scores of the candidates the strategy listed (see <c>Attempt.Candidates</c>); null when none.</param>
/// <param name="CandidateCorrect">Whether the runner verified each candidate's answer as correct, parallel to <paramref name="CandidateScores"/>.</param>
/// <param name="CandidateAnswers">Each candidate's final answer (null for one without), parallel to <paramref name="CandidateScores"/>; null in records written before it was kept.</param>
/// <param name="Prompt">The question as the strategy saw it; null in records written before it was kept (the <c>attempts</c> command then draws it again from the spec).</param>
/// <param name="Reference">The reference answer the runner verified against; null in records written before it was kept.</param>
[MessagePackObject]
public sealed record AttemptRecord(
    [property: Key(0)] long Seed,
    [property: Key(1)] string Label,
    [property: Key(2)] string QuestionId,
    [property: Key(3)] string? Answer,
    [property: Key(4)] string Text,
    [property: Key(5)] bool Correct,
    [property: Key(6)] int Tokens,
    [property: Key(7)] IReadOnlyList<double>? CandidateScores = null,
    [property: Key(8)] IReadOnlyList<bool>? CandidateCorrect = null,
    [property: Key(9)] IReadOnlyList<string?>? CandidateAnswers = null,
    [property: Key(10)] string? Prompt = null,
    [property: Key(11)] string? Reference = null) : RunRecord;

/// <summary>What one phase of a unit cost (see <c>Reasoning.Core.Accounting.PhaseUsage</c>).</summary>
/// <param name="Phase"><c>train</c>, <c>inference</c>, or <c>sft</c> for the base policy.</param>
/// <param name="Reused">The figures include work done earlier and reused (a cached base policy or reward model), charged at the cost recorded when it was done.</param>
[MessagePackObject]
public sealed record PhaseRecord(
    [property: Key(0)] long Seed,
    [property: Key(1)] string Label,
    [property: Key(2)] string Phase,
    [property: Key(3)] long GeneratedTokens,
    [property: Key(4)] long ProcessedTokens,
    [property: Key(5)] long TrainedTokens,
    [property: Key(6)] double Flops,
    [property: Key(7)] double WallSeconds,
    [property: Key(8)] long PeakResidentBytes,
    [property: Key(9)] long? PeakDeviceBytes,
    [property: Key(10)] long EstimatedPeakBytes,
    [property: Key(11)] bool Reused) : RunRecord;

/// <summary>One point of a training curve, e.g. <c>sft/loss</c> at step 100.</summary>
[MessagePackObject]
public sealed record CurvePoint(
    [property: Key(0)] long Seed,
    [property: Key(1)] string Label,
    [property: Key(2)] string Curve,
    [property: Key(3)] int Step,
    [property: Key(4)] double Value) : RunRecord;

/// <summary>
/// How the runner sized a strategy's option to the compute budget, before the unit ran: the two calibration runs' totals
/// (training plus inference, the latter scaled to the test questions), the line through them, and the value chosen.
/// </summary>
/// <param name="Option">The option sized (its YAML key).</param>
/// <param name="Value">The value the unit ran with.</param>
/// <param name="BudgetFlops">The budget per seed.</param>
/// <param name="PredictedFlops">The line's total at <paramref name="Value"/>.</param>
/// <param name="Limit">What bound the choice: <c>budget</c>, <c>max</c> (the option's cap), <c>min</c> (even the smallest value is over the budget), or <c>flat</c> (the cost did not rise between the pilots, so the larger pilot value was kept).</param>
/// <param name="Unconstrained">The value at which the line meets the budget, before rounding down and capping (infinity when the cost does not grow with the option).</param>
/// <param name="PilotValues">The calibration runs' values of the option.</param>
/// <param name="PilotFlops">Their predicted totals over the test questions.</param>
/// <param name="CalibrationFlops">FLOPs charged to the calibration runs (a cached model at its recorded cost); not counted against the budget.</param>
/// <param name="CalibrationSeconds">Their wall time.</param>
[MessagePackObject]
public sealed record BudgetChoice(
    [property: Key(0)] long Seed,
    [property: Key(1)] string Label,
    [property: Key(2)] string Option,
    [property: Key(3)] int Value,
    [property: Key(4)] double BudgetFlops,
    [property: Key(5)] double PredictedFlops,
    [property: Key(6)] string Limit,
    [property: Key(7)] double Unconstrained,
    [property: Key(8)] IReadOnlyList<int> PilotValues,
    [property: Key(9)] IReadOnlyList<double> PilotFlops,
    [property: Key(10)] double CalibrationFlops,
    [property: Key(11)] double CalibrationSeconds) : RunRecord
{
    public const string BoundByBudget = "budget";
    public const string BoundByMax = "max";
    public const string BoundByMin = "min";
    public const string BoundByFlatCost = "flat";
}

/// <summary>
/// The cache entries a unit wrote (paths relative to the output's cache folder), appended with its end: the entries
/// become visible to other units when this record is in the log (<c>Reasoning.Core.Storage.ModelCache</c>).
/// </summary>
[MessagePackObject]
public sealed record CacheCommitted(
    [property: Key(0)] long Seed,
    [property: Key(1)] string Label,
    [property: Key(2)] IReadOnlyList<string> Entries) : RunRecord
{
    /// <summary>Equal when the unit and the entries, in order, are.</summary>
    public bool Equals(CacheCommitted? other) =>
        other is not null && Seed == other.Seed && Label == other.Label && Entries.SequenceEqual(other.Entries, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Seed, Label, Entries.Count);
}

/// <summary>A unit finished; its attempts and phases precede it.</summary>
[MessagePackObject]
public sealed record UnitFinished(
    [property: Key(0)] long Seed,
    [property: Key(1)] string Label,
    [property: Key(2)] int Questions,
    [property: Key(3)] int Correct) : RunRecord;

/// <summary>A unit failed: its strategy threw. The other units still run; a later run tries it again.</summary>
/// <param name="Phase">Where: <c>train</c>, <c>inference</c>, <c>verify</c> or <c>sft</c>.</param>
/// <param name="Error">The exception's type and message.</param>
[MessagePackObject]
public sealed record UnitFailed(
    [property: Key(0)] long Seed,
    [property: Key(1)] string Label,
    [property: Key(2)] string Phase,
    [property: Key(3)] string Error) : RunRecord;
