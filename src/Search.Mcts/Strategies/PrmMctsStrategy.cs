using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Hosting;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>
/// <c>prm-mcts</c>: Monte-Carlo tree search over reasoning steps. <c>Prepare</c> trains (or takes from the cache)
/// a process reward model from step-labelled policy samples; <c>Solve</c> grows one tree per question, all trees
/// together so candidate steps and reward-model scores are batched across questions. A node is a step prefix;
/// expansion samples k next steps from the base policy (their probabilities are the priors), the reward model's
/// score of a new node is its value, selection is PUCT, and the answer follows the most visited path. A path
/// left without an answer step is completed greedily by the policy; one that ended in a dead end falls back to
/// the best-scoring answer the tree found. Steps are written in the task's solution format (lines, or paragraphs of
/// free text), and a node ends the solution when that format reads its step as the answer.
/// </summary>
public sealed class PrmMctsStrategy(MctsStrategyOptions options) : RewardGuidedStrategy(options)
{
    public const string StrategyName = "prm-mcts";

    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<MctsStrategyOptions>(
        StrategyName, "MCTS over reasoning steps guided by a learned process reward model (PUCT, policy priors)", o => new PrmMctsStrategy(o));

    public override string Name => StrategyName;

    public override async Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        ISolutionFormat format = context.Task.SolutionFormat;
        var environment = new PolicySearchEnvironment(questions, policy, RewardModel, context, options.Temperature, options.MaxStepTokens, options.Value);
        var search = new MctsOptions
        {
            Simulations = options.Simulations,
            CandidatesPerExpansion = options.CandidatesPerExpansion,
            MaxDepth = options.MaxDepth,
            ExplorationConstant = options.ExplorationConstant,
            FinalSelection = options.FinalSelection,
        };
        IReadOnlyList<MctsResult> results = await MctsSearch.RunAsync(questions.Count, search, environment.ExpandAsync, environment.ScoreAsync, format.IsAnswerStep, context.Seed, context.Cancellation);

        var paths = results.Select(r =>
        {
            SearchPath path = r.Chosen.Terminal && !r.Chosen.EndsAtAnswer && r.BestTerminal is { } best ? best : r.Chosen;
            return (r.Problem, path.Steps, NeedsCompletion: !path.Terminal);
        }).ToList();
        IReadOnlyList<string> texts = await environment.CompleteAsync(paths, options.MaxNewTokens, context.Cancellation);
        return results.Select((r, i) => new Attempt(
            questions[i].Id,
            format.ParseCompletion(texts[i]).Answer,
            texts[i],
            Enumerable.Range(0, r.Tree.Count)
                .Where(r.Tree.EndsAtAnswer)
                .Select(node => new ScoredAnswer(AnswerOf(format, r.Tree.Steps(node)), r.Tree.Score[node]))
                .ToList())).ToList();
    }
}
