namespace Reasoning.ProcessReward.Training;

/// <summary>How well a reward model separates good lines from bad ones on held-out solutions.</summary>
/// <param name="StepAccuracy">Fraction of labelled lines where (score ≥ 0.5) agrees with (label ≥ 0.5); NaN with no lines.</param>
/// <param name="Auc">ROC AUC of the scores against the hard labels (<see cref="RocAuc"/>); NaN unless both classes occur.</param>
/// <param name="Positives">Labelled lines with label ≥ 0.5.</param>
/// <param name="Negatives">Labelled lines with label &lt; 0.5.</param>
public sealed record RewardModelMetrics(double StepAccuracy, double Auc, int Positives, int Negatives)
{
    public int Count => Positives + Negatives;

    public static RewardModelMetrics Empty { get; } = new(double.NaN, double.NaN, 0, 0);
}
