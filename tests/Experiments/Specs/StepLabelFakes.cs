using System.ComponentModel;
using Reasoning.Core.Strategies;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>Where a fake reward-guided strategy takes its step labels from.</summary>
public enum FakeStepLabels
{
    Exact,
    MonteCarlo,
}

/// <summary>Options like a reward-guided search's: exact labels need the task's step checker, Monte-Carlo labels do not.</summary>
public sealed class FakeLabelledOptions : IRequiresStepChecker
{
    [Description("step labels: exact or monte_carlo")]
    public FakeStepLabels Labels { get; set; } = FakeStepLabels.Exact;

    public bool RequiresStepChecker => Labels == FakeStepLabels.Exact;
}

/// <summary>The descriptor of <c>labelled</c>, a strategy whose options may need a step checker.</summary>
internal static class StepLabelFakes
{
    public static StrategyDescriptor Labelled { get; } = StrategyDescriptor.For<FakeLabelledOptions>(
        "labelled", "a strategy that labels steps", _ => new InertStrategy("labelled"));
}
