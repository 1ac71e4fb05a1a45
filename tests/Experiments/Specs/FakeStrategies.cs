using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>Options of the fake strategies: a bit of each kind the binder supports.</summary>
public sealed class FakeStrategyOptions
{
    [Description("beam width")]
    [Range(1, 64)]
    public int Width { get; set; } = 4;

    [Description("how the beam is scored")]
    public FakeScoring Scoring { get; set; } = FakeScoring.MeanStep;

    public IReadOnlyList<double> Weights { get; set; } = [1.0];

    public string? Note { get; set; }
}

public enum FakeScoring
{
    MeanStep,
    LastStep,
}

/// <summary>A strategy that is never run: the spec loader only makes it.</summary>
internal sealed class InertStrategy(string name) : IStrategy
{
    public string Name => name;

    public Task PrepareAsync(StrategyContext context) => throw new NotSupportedException("the spec tests never run strategies");

    public Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context) =>
        throw new NotSupportedException("the spec tests never run strategies");
}

/// <summary>Descriptors of fake strategies for the spec tests.</summary>
internal static class FakeStrategies
{
    /// <summary>Registered as <c>explodes</c>: its constructor rejects every options object.</summary>
    public static StrategyDescriptor Throwing { get; } = StrategyDescriptor.For<FakeStrategyOptions>(
        "explodes", "a strategy whose constructor throws", o => throw new InvalidOperationException($"width {o.Width} is not supported here"));

    /// <summary>What the fake loader returns for the plug-in type <c>Acme.Search.BeamSearch</c>.</summary>
    public static StrategyDescriptor Beam { get; } = StrategyDescriptor.For<FakeStrategyOptions>(
        "Acme.Search.BeamSearch", "a plug-in strategy", _ => new InertStrategy("Acme.Search.BeamSearch"));
}

/// <summary>A strategy whose constructor always throws (made by reflection, so the error arrives wrapped).</summary>
public sealed class RefusingStrategy : IStrategy
{
    public RefusingStrategy() => throw new ArgumentException("no, thank you");

    public string Name => "refusing";

    public Task PrepareAsync(StrategyContext context) => Task.CompletedTask;

    public Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context) =>
        Task.FromResult<IReadOnlyList<Attempt>>([]);
}
