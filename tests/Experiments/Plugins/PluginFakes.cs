using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;

namespace Reasoning.Tests.Experiments.Plugins;

/// <summary>Strategy types the loader must refuse, loaded from this test assembly as if it were a plug-in.</summary>
public abstract class AbstractPluginStrategy : IStrategy
{
    public string Name => "abstract";

    public Task PrepareAsync(StrategyContext context) => Task.CompletedTask;

    public Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context) =>
        Task.FromResult<IReadOnlyList<Attempt>>([]);
}

/// <summary>Only a two-parameter constructor: nothing the runner can call.</summary>
public sealed class TwoArgumentPluginStrategy(int first, int second) : AbstractPluginStrategy
{
    public int Sum => first + second;
}

/// <summary>Only a parameterless constructor: its options are <see cref="NoOptions"/>.</summary>
public sealed class OptionlessPluginStrategy : AbstractPluginStrategy
{
}
