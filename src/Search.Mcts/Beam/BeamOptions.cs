using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Reasoning.Core.Solutions;

namespace Reasoning.Search.Mcts.Beam;

/// <summary>Options of the step-level beam search (<see cref="BeamSearch"/>).</summary>
public sealed class BeamOptions
{
    /// <summary>Beams kept per problem (N); each finished beam takes one away.</summary>
    [Description("beams kept per problem; each finished beam takes one away")]
    [Range(1, int.MaxValue)]
    public int Width { get; set; } = 4;

    /// <summary>Next lines sampled from each active beam per round (M).</summary>
    [Description("next lines sampled from each active beam per round")]
    [Range(1, int.MaxValue)]
    public int ExpansionsPerBeam { get; set; } = 4;

    /// <summary>Most lines after the question; a beam this long is finished.</summary>
    [Description("most lines after the question; longer beams are finished")]
    [Range(1, SolutionText.MaxSteps)]
    public int MaxDepth { get; set; } = 16;
}
