using Reasoning.Experiments.Records;

namespace Reasoning.Experiments.Reports;

/// <summary>
/// Everything the tables, plots and JSON report show, computed from a run's records alone by
/// <see cref="Summarizer.Summarize"/>. Only finished units count (see <see cref="RunRecord"/>).
/// </summary>
/// <param name="Environment">From the first <see cref="RunStarted"/>; null if the log has none.</param>
/// <param name="Strategies">One per label, in the order their first unit started; the base policy is apart.</param>
/// <param name="BasePolicy">The base policy's fine-tuning; null if no base-policy unit finished.</param>
/// <param name="Failures">Units whose last start ended in <see cref="UnitFailed"/>.</param>
/// <param name="Curves">Training curves of finished units, one series per (label, curve, seed).</param>
/// <param name="Missing">Units the spec has that neither finished nor failed (the run was interrupted, or their records were lost).</param>
internal sealed record RunSummary(
    EnvironmentSummary? Environment,
    IReadOnlyList<StrategySummary> Strategies,
    BasePolicySummary? BasePolicy,
    IReadOnlyList<FailedUnit> Failures,
    IReadOnlyList<CurveSeries> Curves,
    IReadOnlyList<MissingUnit> Missing);

/// <summary>The run's identity and machine.</summary>
/// <param name="Invocations">How many times <c>run</c> was started on this log (1 + resumes).</param>
internal sealed record EnvironmentSummary(string Experiment, string SpecHash, string StartedUtc, int Invocations, RunEnvironment Machine);

/// <summary>One strategy (label) over its finished seeds.</summary>
/// <param name="Label">The strategy's label in the spec.</param>
/// <param name="Strategy">Its registered name or plug-in type.</param>
/// <param name="Seeds">Finished seeds, ascending.</param>
/// <param name="Accuracy">Null when no finished seed asked a question.</param>
/// <param name="Train">The <c>train</c> phase; null when no finished seed recorded one.</param>
/// <param name="Inference">The <c>inference</c> phase, with per-question figures.</param>
/// <param name="RewardGauge">For strategies guided by a learned reward model: how far to trust it; null for the others.</param>
internal sealed record StrategySummary(
    string Label,
    string Strategy,
    IReadOnlyList<SeedResult> Seeds,
    AccuracySummary? Accuracy,
    PhaseSummary? Train,
    PhaseSummary? Inference,
    RewardGauge? RewardGauge = null,
    PairedComparison? VersusReference = null,
    BudgetSummary? Budget = null);

/// <summary>A strategy in a run with a compute budget: what it spent per seed, and the value the runner gave its budgeted option.</summary>
/// <param name="BudgetFlops">The budget per seed.</param>
/// <param name="Option">The option sized to the budget; null for a strategy without one (it spends what it spends).</param>
internal sealed record BudgetSummary(double BudgetFlops, string? Option, IReadOnlyList<BudgetSeed> Seeds)
{
    /// <summary>Mean over seeds of the measured training plus inference FLOPs.</summary>
    public double MeanTotalFlops => Seeds.Count == 0 ? 0 : Seeds.Average(s => s.TotalFlops);
}

/// <summary>One finished seed under the budget.</summary>
/// <param name="TotalFlops">Measured: the unit's training plus inference FLOPs.</param>
/// <param name="Value">The budgeted option's value (null without one); <paramref name="PredictedFlops"/>, <paramref name="Limit"/>, <paramref name="Unconstrained"/> and <paramref name="CalibrationFlops"/> as in the record.</param>
internal sealed record BudgetSeed(long Seed, double TotalFlops, int? Value = null, double? PredictedFlops = null, string? Limit = null, double? Unconstrained = null, double? CalibrationFlops = null);

/// <summary>
/// A strategy against the run's reference strategy (the first in the spec) on the questions both answered, paired by
/// seed and question id: the only honest way to call a difference between two strategies significant, since the
/// pooled intervals ignore that both faced the same questions.
/// </summary>
/// <param name="Reference">The reference strategy's label.</param>
/// <param name="Questions">Questions both answered (finished seeds of both).</param>
/// <param name="OnlyThisRight">Questions this strategy got right and the reference wrong.</param>
/// <param name="OnlyReferenceRight">Questions the reference got right and this strategy wrong.</param>
/// <param name="PValue">Two-sided, McNemar's exact test (<see cref="Statistics.McNemarExact"/>).</param>
internal sealed record PairedComparison(string Reference, int Questions, int OnlyThisRight, int OnlyReferenceRight, double PValue)
{
    /// <summary>The significance level the table uses.</summary>
    public const double Level = 0.05;

    /// <summary>This strategy's accuracy minus the reference's on the shared questions, as a fraction.</summary>
    public double Gain => Questions == 0 ? 0 : (double)(OnlyThisRight - OnlyReferenceRight) / Questions;

    public bool Significant => PValue < Level;
}

/// <summary>
/// The reward-hacking gauge of a strategy guided by a learned reward model, over the test questions of its
/// finished seeds, from the candidates it scored and the runner verified.
/// </summary>
/// <param name="Questions">Questions with at least one scored candidate.</param>
/// <param name="PreferredWrong">Questions where the reward model's highest-scoring candidate (ties: the first) is wrong by the verifier.</param>
/// <param name="Candidates">Scored candidates over all those questions.</param>
/// <param name="Correlation">Pearson correlation between candidate scores and verified correctness (0/1), the point-biserial r; null when either is constant.</param>
/// <param name="CorrectCandidates">Candidates whose answer the runner verified as correct: against the favourite's record it says whether the reward model picks better than chance.</param>
/// <param name="WithinQuestionAuc">
/// Over every pair of one right and one wrong candidate to the same question, the fraction the reward model
/// ranks the right one higher (ties count half): the ROC AUC of ranking within questions, 0.5 for a model that
/// cannot tell them apart, whatever it knows about which questions are hard. Null without such pairs.
/// </param>
internal sealed record RewardGauge(int Questions, int PreferredWrong, int Candidates, double? Correlation, int CorrectCandidates = 0, double? WithinQuestionAuc = null)
{
    /// <summary>How often a candidate drawn at random from a question's list is right (averaged over candidates).</summary>
    public double CandidateAccuracy => Candidates == 0 ? 0 : (double)CorrectCandidates / Candidates;

    public double PreferredWrongRate => Questions == 0 ? 0 : (double)PreferredWrong / Questions;
}

/// <summary>One finished seed of a strategy.</summary>
internal sealed record SeedResult(long Seed, int Questions, int Correct)
{
    /// <summary>Correct over questions; 0 when there were none.</summary>
    public double Accuracy => Questions == 0 ? 0 : (double)Correct / Questions;
}

/// <summary>
/// Accuracy of a strategy. <paramref name="Pooled"/> is correct over total across finished seeds, with its 95%
/// Wilson interval; <paramref name="MeanOverSeeds"/> and <paramref name="StandardDeviationOverSeeds"/> (n − 1;
/// null with one seed) describe the spread between seeds.
/// </summary>
internal sealed record AccuracySummary(
    long Correct,
    long Total,
    double Pooled,
    double WilsonLow,
    double WilsonHigh,
    double MeanOverSeeds,
    double? StandardDeviationOverSeeds);

/// <summary>
/// One phase of a strategy over its finished seeds: token counters, FLOPs and wall seconds are means over the
/// <paramref name="Seeds"/> seeds that recorded the phase; peaks are the maximum over them.
/// </summary>
/// <param name="PerQuestion">Means over seeds of each seed's figures divided by its questions; null for phases without questions.</param>
/// <param name="ReusedSeeds">Seeds whose figures were recorded when the work was first done (a cached base policy).</param>
internal sealed record PhaseSummary(
    string Phase,
    int Seeds,
    double GeneratedTokens,
    double ProcessedTokens,
    double TrainedTokens,
    double Flops,
    double WallSeconds,
    long PeakResidentBytes,
    long? PeakDeviceBytes,
    long EstimatedPeakBytes,
    PerQuestionFigures? PerQuestion,
    int ReusedSeeds);

/// <summary>A phase's figures per test question (means over seeds).</summary>
internal sealed record PerQuestionFigures(
    double GeneratedTokens,
    double ProcessedTokens,
    double TrainedTokens,
    double Flops,
    double WallSeconds);

/// <summary>The base policy's supervised fine-tuning (phase <c>sft</c> of the <see cref="RunRecord.BasePolicyLabel"/> units).</summary>
/// <param name="Seeds">Finished base-policy seeds, ascending.</param>
/// <param name="Sft">Null when no finished unit recorded an <c>sft</c> phase.</param>
internal sealed record BasePolicySummary(IReadOnlyList<long> Seeds, PhaseSummary? Sft);

/// <summary>A unit that failed, with where and why.</summary>
internal sealed record FailedUnit(long Seed, string Label, string Phase, string Error);

/// <summary>A label's seeds that the spec has and the records do not (neither finished nor failed).</summary>
internal sealed record MissingUnit(string Label, IReadOnlyList<long> Seeds);

/// <summary>One training curve of one finished unit, points in step order.</summary>
internal sealed record CurveSeries(string Label, string Curve, long Seed, IReadOnlyList<CurveValue> Points);

/// <summary>A curve's value at a step.</summary>
internal readonly record struct CurveValue(int Step, double Value);
