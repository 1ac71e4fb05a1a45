using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Reasoning.Core.Solutions;

namespace Reasoning.Search.Mcts;

/// <summary>How MCTS picks the line it returns, from the root down.</summary>
public enum FinalSelection
{
    /// <summary>The most-visited child (ties: higher Q, then lower index), as AlphaZero plays its move.</summary>
    MostVisited,

    /// <summary>The child with the highest Q (ties: more visits, then lower index).</summary>
    BestValue,
}

/// <summary>Options of the MCTS over reasoning steps (<see cref="MctsSearch"/>).</summary>
public sealed class MctsOptions : IValidatableObject
{
    /// <summary>Simulations per problem (each selects a leaf, expands it, backs up a value).</summary>
    [Description("simulations per problem")]
    [Range(1, int.MaxValue)]
    public int Simulations { get; set; } = 32;

    /// <summary>Next lines sampled when a leaf is expanded (duplicates merge into one child).</summary>
    [Description("next lines sampled per expansion")]
    [Range(1, int.MaxValue)]
    public int CandidatesPerExpansion { get; set; } = 4;

    /// <summary>Most lines after the question; a node this deep is terminal.</summary>
    [Description("most lines after the question; deeper nodes are terminal")]
    [Range(1, SolutionText.MaxSteps)]
    public int MaxDepth { get; set; } = 16;

    /// <summary>c_puct of the PUCT rule (default: MuZero's c1 = 1.25).</summary>
    [Description("c_puct of the PUCT selection rule")]
    [Range(0.0, double.MaxValue)]
    public double ExplorationConstant { get; set; } = Selection.DefaultExplorationConstant;

    /// <summary>How the returned line is picked from the root down.</summary>
    [Description("most_visited or best_value")]
    public FinalSelection FinalSelection { get; set; } = FinalSelection.MostVisited;

    /// <summary>0 picks the most-visited child; above 0 samples a child with probability ∝ N^(1/T).</summary>
    [Description("temperature of the final choice: 0 = argmax, above 0 samples ∝ N^(1/T) (most_visited only)")]
    [Range(0.0, double.MaxValue)]
    public double Temperature { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // RangeAttribute lets NaN through (every comparison with NaN is false).
        if (double.IsNaN(ExplorationConstant))
        {
            yield return new ValidationResult("must be a number, not NaN", [nameof(ExplorationConstant)]);
        }

        if (double.IsNaN(Temperature))
        {
            yield return new ValidationResult("must be a number, not NaN", [nameof(Temperature)]);
        }

        if (Temperature > 0 && FinalSelection != FinalSelection.MostVisited)
        {
            yield return new ValidationResult(
                "a temperature above 0 samples by visit counts, so it needs final_selection: most_visited", [nameof(Temperature)]);
        }
    }
}
