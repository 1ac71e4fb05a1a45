using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Tokenization;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>
/// The search delegates backed by real models: candidate steps sampled from the base policy through the
/// policy host (all states of a call in one batched request, stopping at the end of a line), and states scored
/// by the reward model (all states of a call in a few batched passes). Every token goes to the strategy's meter,
/// kept or discarded.
/// </summary>
internal sealed class PolicySearchEnvironment(
    IReadOnlyList<Question> questions, PolicySession policy, IStepScorer rewardModel, StrategyContext context,
    double temperature, int maxStepTokens, ScoreAggregation value)
{
    private int _calls;

    /// <summary>Samples <c>samplesPerState</c> next lines for every state, in one request.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<StepCandidate>>> ExpandAsync(IReadOnlyList<SearchState> states, int samplesPerState, CancellationToken cancellation)
    {
        int room = policy.Base.Model.Config.MaxSequenceLength;
        var prefixes = states.Select(Prefix).ToList();
        var budget = prefixes.Select(p => Math.Min(maxStepTokens, room - p.Count)).ToArray(); // ≤ 0: no room left, no candidates (a dead end)

        // One request per distinct budget keeps rows that are about to run out of room from cutting the others short.
        var candidates = states.Select(_ => new List<StepCandidate>()).ToList();
        int call = Interlocked.Increment(ref _calls);
        foreach (int tokens in budget.Where(b => b > 0).Distinct().Order())
        {
            var rows = Enumerable.Range(0, states.Count).Where(i => budget[i] == tokens).ToList();
            var ids = rows.SelectMany(i => Enumerable.Repeat(prefixes[i], samplesPerState)).ToList();
            var sampling = new SamplingOptions(temperature, 1.0, tokens, StopAt.EndOfStep, Seed: RewardModelPreparation.SeedFor(context.Seed, $"search/expand/{call}/{tokens}"));
            IReadOnlyList<Completion> completions = await policy.Host.GenerateAsync(policy.Base, ids, sampling, context.Meter, cancellation);
            for (int r = 0; r < rows.Count; r++)
            {
                for (int s = 0; s < samplesPerState; s++)
                {
                    Completion c = completions[r * samplesPerState + s];
                    string text = StepText(c);
                    candidates[rows[r]].Add(new StepCandidate(text, c.LogProbabilities.Sum(p => (double)p), c.Stopped, c.Tokens.Count));
                }
            }
        }

        return candidates;
    }

    /// <summary>The reward model's score of each state: the aggregate of its line scores (by default the last line's).</summary>
    public Task<IReadOnlyList<double>> ScoreAsync(IReadOnlyList<SearchState> states, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        double[] scores = RewardScorer.ScoreSolutions(rewardModel, states.Select(s => new SolutionLines(questions[s.Problem].Prompt, s.Steps)).ToList(), value, context.Meter);
        return Task.FromResult<IReadOnlyList<double>>(scores);
    }

    /// <summary>
    /// Finishes paths the search left without an answer line, greedily with the base policy (charged like any
    /// other generation). Returns each path's full solution text after the question.
    /// </summary>
    public async Task<IReadOnlyList<string>> CompleteAsync(IReadOnlyList<(int Problem, IReadOnlyList<string> Steps, bool NeedsCompletion)> paths, int maxNewTokens, CancellationToken cancellation)
    {
        var texts = paths.Select(p => Format.RenderSteps(p.Steps)).ToArray();
        var open = Enumerable.Range(0, paths.Count).Where(i => paths[i].NeedsCompletion).ToList();
        if (open.Count > 0)
        {
            var ids = open.Select(i => Prefix(new SearchState(paths[i].Problem, paths[i].Steps))).ToList();
            int room = policy.Base.Model.Config.MaxSequenceLength - ids.Max(p => p.Count);
            if (room > 0)
            {
                IReadOnlyList<Completion> completions = await policy.Host.GenerateAsync(policy.Base, ids, SamplingOptions.Greedy(Math.Min(maxNewTokens, room)), context.Meter, cancellation);
                for (int k = 0; k < open.Count; k++)
                {
                    texts[open[k]] += completions[k].Text;
                }
            }
        }

        return texts;
    }

    /// <summary>The question line and the steps so far, as the policy reads them.</summary>
    private IReadOnlyList<int> Prefix(SearchState state) => policy.Base.Tokenizer.EncodePrefix(questions[state.Problem].Prompt, Format, state.Steps);

    private ISolutionFormat Format => context.Task.SolutionFormat;

    /// <summary>
    /// The step a sampled continuation wrote: without its separator when it stopped at one (a line's newline; a
    /// paragraph's blank line, with the white space around the paragraph), as it is when it was cut off.
    /// </summary>
    private string StepText(Completion completion)
    {
        string text = completion.Text;
        if (!completion.Stopped)
        {
            return text;
        }

        if (Format is LineSolutionFormat)
        {
            return text.EndsWith('\n') ? text[..^1] : text;
        }

        int end = text.TrimStart().IndexOf(Format.StepSeparator, StringComparison.Ordinal);
        return (end < 0 ? text : text.TrimStart()[..end]).Trim();
    }
}
