using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.ProcessReward.Scoring;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>
/// What the reward-guided strategies share: <c>Prepare</c> gets the reward model (trained, or from the cache,
/// charged either way; see <see cref="RewardModelPreparation"/>), <c>Solve</c> uses it, and the strategy
/// releases it when the runner disposes it at the end of its unit.
/// </summary>
public abstract class RewardGuidedStrategy(RewardModelSettings settings) : IStrategy, IDisposable
{
    private PreparedRewardModel? _reward;

    public abstract string Name { get; }

    /// <summary>False for variants that need no reward model (then <c>Prepare</c> does nothing).</summary>
    protected virtual bool UsesRewardModel => true;

    public async Task PrepareAsync(StrategyContext context)
    {
        if (UsesRewardModel)
        {
            _reward = await RewardModelPreparation.PrepareAsync(settings, context);
        }
    }

    public abstract Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context);

    /// <summary>The prepared reward model.</summary>
    /// <exception cref="InvalidOperationException"><c>PrepareAsync</c> has not run.</exception>
    internal IStepScorer RewardModel =>
        _reward?.Model ?? throw new InvalidOperationException($"{Name}: PrepareAsync must run before SolveAsync");

    /// <summary>The answer of the steps a search wrote (the last of them its answer step), read by <paramref name="format"/>; null when they state none.</summary>
    private protected static string? AnswerOf(ISolutionFormat format, IReadOnlyList<string> steps) =>
        format.ParseCompletion(format.RenderSteps(steps)).Answer;

    public void Dispose()
    {
        _reward?.Model.Dispose();
        GC.SuppressFinalize(this);
    }
}
