using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Reasoning.SelfPlay.R1.Objective;
using Reasoning.SelfPlay.R1.Rewards;
using Reasoning.SelfPlay.R1.Training;

namespace Reasoning.SelfPlay.R1.Strategies;

/// <summary>Options of <see cref="R1GrpoStrategy"/> (YAML keys in snake_case).</summary>
public sealed class R1GrpoOptions : IValidatableObject
{
    [Description("GRPO steps: rollout batches, each followed by mu policy updates")]
    [Range(1, int.MaxValue)]
    public int Steps { get; set; } = 100;

    [Description("train problems per step")]
    [Range(1, int.MaxValue)]
    public int PromptsPerStep { get; set; } = 16;

    [Description("responses sampled per prompt (G)")]
    [Range(2, 1024)]
    public int GroupSize { get; set; } = 8;

    [Description("AdamW learning rate")]
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double LearningRate { get; set; } = 1e-4;

    [Description("linear learning-rate warm-up, in updates")]
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; set; }

    [Description("learning-rate schedule after the warm-up: constant, or cosine (a cosine decay to a tenth of the peak at the last update)")]
    public LearningRateDecay LearningRateSchedule { get; set; } = LearningRateDecay.Constant;

    [Description("weight of the KL penalty to the base policy (k3 estimator, inside the loss)")]
    [Range(0.0, 1000.0)]
    public double Beta { get; set; } = 0.04;

    [Description("lower clip range: the ratio is clipped below at 1 - clip_low")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double ClipLow { get; set; } = 0.2;

    [Description("upper clip range: the ratio is clipped above at 1 + clip_high")]
    [Range(0.0, 1000.0)]
    public double ClipHigh { get; set; } = 0.2;

    [Description("policy updates per batch of rollouts (mu)")]
    [Range(1, 64)]
    public int Mu { get; set; } = 1;

    [Description("loss aggregation: sequence_mean (original GRPO), token_mean (DAPO) or dr_grpo (no length or std normalisation)")]
    public LossAggregation LossAggregation { get; set; } = LossAggregation.SequenceMean;

    [Description("longest response, in tokens (also dr_grpo's constant)")]
    [Range(1, int.MaxValue)]
    public int MaxResponseLength { get; set; } = 64;

    [Description("sampling temperature of the rollouts")]
    [Range(0.0, 100.0, MinimumIsExclusive = true)]
    public double Temperature { get; set; } = 1.0;

    [Description("weight of the accuracy reward (the task's verifier on the final answer)")]
    [Range(0.0, 1000.0)]
    public double AccuracyWeight { get; set; } = 1.0;

    [Description("weight of the format reward (steps and an answer line, all well-formed)")]
    [Range(0.0, 1000.0)]
    public double FormatWeight { get; set; } = 0.1;

    [Description("train problems kept out of the rollouts to measure held-out accuracy")]
    [Range(0, int.MaxValue)]
    public int HeldOutProblems { get; set; } = 100;

    [Description("measure held-out accuracy (greedy) every this many steps (0: only before and after training)")]
    [Range(0, int.MaxValue)]
    public int EvaluateEvery { get; set; } = 10;

    [Description("save a checkpoint of the policy every this many steps (0: only the last)")]
    [Range(0, int.MaxValue)]
    public int CheckpointEvery { get; set; }

    [Description("answers at test time: 1 decodes greedily; k > 1 takes the majority of k samples")]
    [Range(1, 1024)]
    public int SolveSamples { get; set; } = 1;

    [Description("sampling temperature at test time when solve_samples > 1")]
    [Range(0.0, 100.0, MinimumIsExclusive = true)]
    public double SolveTemperature { get; set; } = 0.8;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AccuracyWeight + FormatWeight == 0)
        {
            yield return new ValidationResult("accuracy_weight and format_weight are both 0: nothing would be rewarded", ["AccuracyWeight", "FormatWeight"]);
        }
    }

    /// <summary>The trainer's settings.</summary>
    internal GrpoOptions ToTrainerOptions(long seed) => new(
        Steps, PromptsPerStep, GroupSize, LearningRate, Mu, Temperature,
        new GrpoObjectiveOptions(ClipLow, ClipHigh, Beta, LossAggregation, MaxResponseLength),
        new RewardWeights(AccuracyWeight, FormatWeight),
        WarmupSteps: WarmupSteps, Seed: seed, Schedule: LearningRateSchedule);
}
