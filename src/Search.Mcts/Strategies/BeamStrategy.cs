using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Hosting;
using Reasoning.Search.Mcts.Beam;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>
/// <c>beam</c>: step-level beam search scored by a learned process reward model (as in Snell et al. 2024 and
/// Hugging Face's "search and learn"): each round every beam samples candidate next steps, the reward model
/// scores them all in one batch, and the best <c>width</c> survive; the answer is the best-scoring finished beam.
/// </summary>
public sealed class BeamStrategy(BeamStrategyOptions options) : RewardGuidedStrategy(options)
{
    public const string StrategyName = "beam";

    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<BeamStrategyOptions>(
        StrategyName, "step-level beam search scored by a learned process reward model", o => new BeamStrategy(o));

    public override string Name => StrategyName;

    public override async Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        var environment = new PolicySearchEnvironment(questions, policy, RewardModel, context, options.Temperature, options.MaxStepTokens, options.Value);
        var search = new BeamOptions { Width = options.Width, ExpansionsPerBeam = options.ExpansionsPerBeam, MaxDepth = options.MaxDepth };
        IReadOnlyList<BeamResult> results = await BeamSearch.RunAsync(questions.Count, search, environment.ExpandAsync, environment.ScoreAsync, context.Cancellation);

        IReadOnlyList<string> texts = await environment.CompleteAsync(
            results.Select(r => (r.Problem, r.Chosen.Steps, NeedsCompletion: r.NeedsCompletion)).ToList(), options.MaxNewTokens, context.Cancellation);
        return results.Select((r, i) => new Attempt(
            questions[i].Id,
            PolicySearchEnvironment.AnswerOf(texts[i]),
            texts[i],
            r.Finished.Where(p => p.EndsAtAnswer)
                .Select(p => new ScoredAnswer(PolicySearchEnvironment.AnswerOf(p.Steps), p.Score))
                .ToList())).ToList();
    }
}
