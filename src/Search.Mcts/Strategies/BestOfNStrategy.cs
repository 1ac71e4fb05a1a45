using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;
using Reasoning.ProcessReward.Labels;
using Reasoning.ProcessReward.Scoring;
using Reasoning.Search.Mcts.BestOfN;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>
/// <c>best-of-n</c>: n whole solutions per question from the base policy, one is chosen: by the reward model's
/// score (a PRM's step scores aggregated, or an ORM's), by reward-weighted majority, or by plain majority (then
/// no reward model is trained). Solutions are read, and answers compared, by the task's solution format.
/// </summary>
public sealed class BestOfNStrategy(BestOfNStrategyOptions options) : RewardGuidedStrategy(options)
{
    public const string StrategyName = "best-of-n";

    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<BestOfNStrategyOptions>(
        StrategyName, "n sampled solutions, the one a learned reward model (or the majority) prefers", o => new BestOfNStrategy(o));

    public override string Name => StrategyName;

    protected override bool UsesRewardModel => options.Selection != BestOfNMode.Majority;

    public override async Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        ISolutionFormat format = context.Task.SolutionFormat;
        int n = options.Samples;
        var prompts = questions.SelectMany(q => Enumerable.Repeat(q.Prompt, n)).ToList();
        var sampling = new SamplingOptions(options.Temperature, 1.0, options.MaxNewTokens, StopAt.EndOfAnswer, Seed: RewardModelPreparation.SeedFor(context.Seed, "best-of-n"));
        IReadOnlyList<Completion> completions = await policy.Host.GenerateAsync(policy.Base, prompts, sampling, context.Meter, context.Cancellation);
        var parsed = completions.Select(c => format.ParseCompletion(c.Text)).ToList();

        double[]? scores = null;
        if (UsesRewardModel)
        {
            var solutions = parsed.Select((p, i) => new SolutionLines(questions[i / n].Prompt, LabeledSolution.LinesOf(p, format))).ToList();
            ScoreAggregation how = options.RewardModel == ProcessReward.Model.RewardModelKind.OutcomeReward ? ScoreAggregation.Last : options.Aggregation;
            scores = RewardScorer.ScoreSolutions(RewardModel, solutions, how, context.Meter);
        }

        return Choose(questions, completions.Select(c => c.Text).ToList(), parsed, scores, options.Selection, format);
    }

    /// <summary>
    /// The attempts from n solutions per question (question q's are rows q·n … q·n + n − 1), parsed by
    /// <paramref name="format"/>, and the reward model's scores of them (null when none is used: every score 0 and no
    /// candidates listed). A solution without an answer scores 0, however sound its steps look. The chosen solution is
    /// <see cref="BestOfNSelection.Choose"/>'s; when it chooses none, the first solution and no answer.
    /// </summary>
    internal static IReadOnlyList<Attempt> Choose(
        IReadOnlyList<Question> questions, IReadOnlyList<string> texts, IReadOnlyList<ParsedSolution> parsed, IReadOnlyList<double>? scores,
        BestOfNMode mode, ISolutionFormat format)
    {
        int n = questions.Count == 0 ? 0 : texts.Count / questions.Count;
        var attempts = new List<Attempt>(questions.Count);
        for (int q = 0; q < questions.Count; q++)
        {
            var candidates = Enumerable.Range(q * n, n)
                .Select(i => new ScoredCandidate(parsed[i].Answer, scores is null || parsed[i].Answer is null ? 0 : scores[i]))
                .ToList();
            int chosen = BestOfNSelection.Choose(candidates, mode, format);
            int index = q * n + Math.Max(chosen, 0);
            attempts.Add(new Attempt(
                questions[q].Id,
                chosen >= 0 ? parsed[index].Answer : null,
                texts[index],
                scores is null ? null : candidates.Select(c => new ScoredAnswer(c.Answer, c.Score)).ToList()));
        }

        return attempts;
    }
}
