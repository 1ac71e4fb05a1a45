using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Hosting;
using Reasoning.Search.Mcts.Beam;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>
/// <c>beam</c>: step-level beam search scored by a learned process reward model (as in Snell et al. 2024 and
/// Hugging Face's "search and learn"): each round every beam samples candidate next steps, the reward model
/// scores them all in one batch, and the best <c>width</c> survive; the answer is the best-scoring finished beam.
/// Steps are written in the task's solution format (lines, or paragraphs of free text), and a beam finishes at the
/// step that format reads as the answer.
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
        ISolutionFormat format = context.Task.SolutionFormat;
        var environment = new PolicySearchEnvironment(questions, policy, RewardModel, context, options.Temperature, options.MaxStepTokens, options.Value);
        var search = new BeamOptions { Width = options.Width, ExpansionsPerBeam = options.ExpansionsPerBeam, MaxDepth = options.MaxDepth };
        IReadOnlyList<BeamResult> results = await BeamSearch.RunAsync(questions.Count, search, environment.ExpandAsync, environment.ScoreAsync, format.IsAnswerStep, context.Cancellation);

        IReadOnlyList<string> texts = await environment.CompleteAsync(
            results.Select(r => (r.Problem, r.Chosen.Steps, NeedsCompletion: r.NeedsCompletion)).ToList(), options.MaxNewTokens, context.Cancellation);
        return results.Select((r, i) => new Attempt(
            questions[i].Id,
            format.ParseCompletion(texts[i]).Answer,
            texts[i],
            r.Finished.Where(p => p.EndsAtAnswer)
                .Select(p => new ScoredAnswer(AnswerOf(format, p.Steps), p.Score))
                .ToList())).ToList();
    }
}
