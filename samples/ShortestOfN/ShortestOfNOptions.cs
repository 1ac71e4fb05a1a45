using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Reasoning.Samples.ShortestOfN;

/// <summary>
/// Options of <see cref="ShortestOfNStrategy"/>, bound from the spec's <c>options:</c> like a built-in
/// strategy's: the YAML keys are the property names in snake_case (<c>max_new_tokens</c>), the defaults are
/// the initialisers, and <c>list</c> shows the descriptions and ranges.
/// </summary>
public sealed class ShortestOfNOptions
{
    /// <summary>Samples per question (n).</summary>
    [Description("samples per question (n)")]
    [Range(1, int.MaxValue)]
    public int Samples { get; set; } = 4;

    /// <summary>Sampling temperature.</summary>
    [Description("sampling temperature")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double Temperature { get; set; } = 0.8;

    /// <summary>Longest solution, in tokens.</summary>
    [Description("longest solution, in tokens")]
    [Range(1, int.MaxValue)]
    public int MaxNewTokens { get; set; } = 128;
}
