using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Reasoning.Policy.Model;
using Reasoning.Policy.Training;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// <c>policy.sizes</c> as an options class, so it binds and reports like any other. The vocabulary is a stand-in:
/// the real one comes from the task, and no shape rule depends on it.
/// </summary>
internal sealed class ModelSizesOptions : IValidatableObject
{
    private const int ShapeCheckVocabulary = 64;

    [Description("width of the residual stream (d_model)")]
    [Required]
    [Range(1, int.MaxValue)]
    public int Dimension { get; set; }

    [Description("transformer blocks")]
    [Required]
    [Range(1, int.MaxValue)]
    public int Layers { get; set; }

    [Description("query heads; dimension must be a multiple")]
    [Required]
    [Range(1, int.MaxValue)]
    public int Heads { get; set; }

    [Description("key/value heads; heads must be a multiple")]
    [Required]
    [Range(1, int.MaxValue)]
    public int KvHeads { get; set; }

    [Description("width of the SwiGLU MLP")]
    [Required]
    [Range(1, int.MaxValue)]
    public int HiddenDimension { get; set; }

    [Description("longest sequence, prompt plus generation")]
    [Range(2, int.MaxValue)]
    public int MaxSequenceLength { get; set; } = 256;

    public ModelSizes ToSizes() => new(Dimension, Layers, Heads, KvHeads, HiddenDimension, MaxSequenceLength);

    /// <summary>The shape rules of <see cref="TransformerConfig.Validate"/>; reported at the <c>sizes</c> mapping.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? problem = null;
        try
        {
            new TransformerConfig(ShapeCheckVocabulary, Dimension, Layers, Heads, KvHeads, HiddenDimension, MaxSequenceLength).Validate();
        }
        catch (ArgumentException e)
        {
            problem = e.Message;
        }

        if (problem is not null)
        {
            yield return new ValidationResult(problem);
        }
    }
}

/// <summary>
/// <c>policy.fine_tuning</c> as an options class: the keys, defaults and ranges of <see cref="FineTuningOptions"/>,
/// without its seed (the runner sets that per unit of work).
/// </summary>
internal sealed class FineTuningSpecOptions : IValidatableObject
{
    private static readonly FineTuningOptions Defaults = new();

    [Description("optimizer steps")]
    [Range(1, int.MaxValue)]
    public int Steps { get; set; } = Defaults.Steps;

    [Description("reference solutions per step")]
    [Range(1, int.MaxValue)]
    public int BatchSize { get; set; } = Defaults.BatchSize;

    [Description("peak learning rate")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double LearningRate { get; set; } = Defaults.LearningRate;

    [Description("linear warm-up steps")]
    [Range(0, int.MaxValue)]
    public int WarmupSteps { get; set; } = Defaults.WarmupSteps;

    [Description("AdamW decoupled weight decay, on matrices only")]
    [Range(0.0, double.MaxValue)]
    public double WeightDecay { get; set; } = Defaults.WeightDecay;

    [Description("maximum global gradient norm")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double GradientClip { get; set; } = Defaults.GradientClip;

    public FineTuningOptions ToOptions() => new(Steps, BatchSize, LearningRate, WarmupSteps, WeightDecay, GradientClip);

    /// <summary><see cref="FineTuningOptions.Validate"/> itself, in case its rules grow beyond the ranges above.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        ValidationResult? problem = null;
        try
        {
            ToOptions().Validate();
        }
        catch (ArgumentException e)
        {
            string message = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
            problem = new ValidationResult(message, e.ParamName is { } member ? [member] : []);
        }

        if (problem is not null)
        {
            yield return problem;
        }
    }
}
