using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Policy.Training;
using Reasoning.ProcessReward.Labels;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Training;

namespace Reasoning.ProcessReward;

/// <summary>Settings of <see cref="ProcessRewardTraining"/>.</summary>
/// <param name="Training">The optimizer recipe; its seed also draws the held-out problems.</param>
/// <param name="HeldOutFraction">Fraction of the problems (not solutions: no problem is on both sides) kept out of training for the metrics.</param>
/// <param name="ScoringBatchSize">Solutions per forward pass when the held-out set is scored.</param>
public sealed record ProcessRewardTrainingOptions(RewardModelTrainingOptions Training, double HeldOutFraction = 0.1, int ScoringBatchSize = 64)
{
    public ProcessRewardTrainingOptions Validate()
    {
        Training.Validate();
        if (!(HeldOutFraction >= 0 && HeldOutFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(HeldOutFraction), $"process-reward option {nameof(HeldOutFraction)} must be in [0, 1), not {HeldOutFraction}");
        }

        if (ScoringBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ScoringBatchSize), $"process-reward option {nameof(ScoringBatchSize)} must be at least 1, not {ScoringBatchSize}");
        }

        return this;
    }
}

/// <summary>A trained reward model, how it did on held-out problems, and how its loss went.</summary>
public sealed record TrainedRewardModel(RewardModel Model, RewardModelMetrics HeldOut, IReadOnlyList<LossPoint> LossCurve, int TrainSolutions, int HeldOutSolutions);

/// <summary>What a strategy calls: split labelled solutions by problem, train, evaluate on the held-out part.</summary>
public static class ProcessRewardTraining
{
    /// <summary>
    /// Trains <paramref name="model"/> in place (build it with <see cref="RewardModel.FromPolicy"/> or
    /// <see cref="RewardModel.Fresh"/>) and measures it on held-out problems. All work is charged to <paramref name="meter"/>.
    /// <paramref name="snapshots"/>: resumable snapshots of the training (<see cref="RewardModelTrainer.Train"/>); null for none.
    /// </summary>
    public static TrainedRewardModel Train(
        RewardModel model, IReadOnlyList<LabeledSolution> solutions, ProcessRewardTrainingOptions options, IUsageMeter meter,
        Action<LossPoint>? progress = null, CancellationToken cancellation = default, TrainingSnapshots? snapshots = null)
    {
        options.Validate();
        (IReadOnlyList<LabeledSolution> train, IReadOnlyList<LabeledSolution> heldOut) = Split(solutions, options.HeldOutFraction, options.Training.Seed);
        IReadOnlyList<LossPoint> curve = RewardModelTrainer.Train(model, train, options.Training, meter, progress, cancellation, snapshots);
        RewardModelMetrics metrics = heldOut.Count == 0 ? RewardModelMetrics.Empty : RewardModelTrainer.Evaluate(model, heldOut, meter, options.ScoringBatchSize);
        return new TrainedRewardModel(model, metrics, curve, train.Count, heldOut.Count);
    }

    /// <summary>
    /// Holds out round(fraction × problems) problems, drawn from <paramref name="seed"/> (at least one when the
    /// fraction is positive and there are two problems or more; never all), with every solution of theirs.
    /// Order within each side is the input order.
    /// </summary>
    public static (IReadOnlyList<LabeledSolution> Train, IReadOnlyList<LabeledSolution> HeldOut) Split(IReadOnlyList<LabeledSolution> solutions, double fraction, long seed)
    {
        string[] problems = solutions.Select(s => s.ProblemId).Distinct(StringComparer.Ordinal).ToArray();
        int count = (int)Math.Round(fraction * problems.Length, MidpointRounding.AwayFromZero);
        if (fraction > 0 && problems.Length >= 2)
        {
            count = Math.Clamp(count, 1, problems.Length - 1);
        }
        else
        {
            count = 0;
        }

        DeterministicRandom.ForPurpose(seed, "reward-model/held-out").Shuffle(problems);
        var heldOut = problems.Take(count).ToHashSet(StringComparer.Ordinal);
        return (solutions.Where(s => !heldOut.Contains(s.ProblemId)).ToArray(), solutions.Where(s => heldOut.Contains(s.ProblemId)).ToArray());
    }
}
