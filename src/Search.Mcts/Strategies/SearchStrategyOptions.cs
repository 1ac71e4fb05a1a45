using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Reasoning.ProcessReward.Scoring;
using Reasoning.Search.Mcts.BestOfN;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>Options of <c>best-of-n</c>.</summary>
public sealed class BestOfNStrategyOptions : RewardModelSettings
{
    [Description("solutions sampled per question (n)")]
    [Range(1, 1024)]
    public int Samples { get; set; } = 8;

    [Description("sampling temperature")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double Temperature { get; set; } = 0.8;

    [Description("how the answer is chosen: max_score (the reward model's favourite), weighted_majority (answers' summed scores) or majority (no reward model)")]
    public BestOfNMode Selection { get; set; } = BestOfNMode.MaxScore;

    [Description("how a solution's step scores become one: min, product, last or mean (an outcome reward model uses last)")]
    public ScoreAggregation Aggregation { get; set; } = ScoreAggregation.Min;

    /// <summary>Plain majority trains no reward model, so it labels no steps, whatever <c>labels</c> says.</summary>
    public override bool RequiresStepChecker => Selection != BestOfNMode.Majority && base.RequiresStepChecker;
}

/// <summary>What the step-level searches share.</summary>
public abstract class StepSearchOptions : RewardModelSettings
{
    [Description("temperature of sampled candidate steps")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double Temperature { get; set; } = 0.8;

    [Description("longest candidate step, in tokens")]
    [Range(1, int.MaxValue)]
    public int MaxStepTokens { get; set; } = 32;

    [Description("most steps (lines, or paragraphs of free text) of a solution the search writes before it stops")]
    [Range(1, 256)]
    public int MaxDepth { get; set; } = 16;

    [Description("the value of a partial solution from its step scores: last (the newest step's score), min, product or mean")]
    public ScoreAggregation Value { get; set; } = ScoreAggregation.Last;
}

/// <summary>Options of <c>beam</c>.</summary>
public sealed class BeamStrategyOptions : StepSearchOptions
{
    [Description("beams kept per question")]
    [Range(1, 256)]
    public int Width { get; set; } = 4;

    [Description("candidate steps sampled from each beam per round")]
    [Range(1, 256)]
    public int ExpansionsPerBeam { get; set; } = 4;
}

/// <summary>Options of <c>prm-mcts</c>.</summary>
public sealed class MctsStrategyOptions : StepSearchOptions
{
    [Description("simulations per question (the search budget)")]
    [Range(1, 100_000)]
    public int Simulations { get; set; } = 32;

    [Description("candidate steps sampled when a node is expanded (k)")]
    [Range(1, 256)]
    public int CandidatesPerExpansion { get; set; } = 4;

    [Description("PUCT exploration constant c (AlphaZero; 1.25 as MuZero's c1)")]
    [Range(0.0, double.MaxValue)]
    public double ExplorationConstant { get; set; } = 1.25;

    [Description("the answer's path: most_visited children from the root, or best_value")]
    public FinalSelection FinalSelection { get; set; } = FinalSelection.MostVisited;
}
