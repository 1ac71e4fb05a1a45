using Reasoning.Core.Problems;

namespace Reasoning.Search.Mcts;

/// <summary>
/// Monte-Carlo tree search over reasoning steps, one tree per problem, all trees advancing together.
/// Each round runs one simulation in every tree:
/// <list type="number">
/// <item><see cref="Selection"/>: PUCT from the root down to a terminal or unexpanded leaf;</item>
/// <item><see cref="Expansion"/>: ONE <see cref="ExpandSteps"/> call for the non-terminal leaves of all
/// trees, then ONE <see cref="ScoreStates"/> call for all their new children;</item>
/// <item><see cref="Backup"/>: each leaf's score, up its path.</item>
/// </list>
/// Then <see cref="FinalChoice"/> picks each problem's line. Everything but the final temperature
/// sampling is deterministic given the delegates' answers; that sampling is seeded. Which step ends a
/// solution is the format's call (<see cref="IsAnswerStep"/>), so the same search runs on lines and on paragraphs.
/// </summary>
internal static class MctsSearch
{
    /// <summary>Searches problems 0 .. <paramref name="problemCount"/> − 1; one result per problem, in order.</summary>
    /// <exception cref="ArgumentException">Invalid options (the message names the keys).</exception>
    public static async Task<IReadOnlyList<MctsResult>> RunAsync(
        int problemCount, MctsOptions options, ExpandSteps expand, ScoreStates score, IsAnswerStep isAnswerStep, long seed = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(isAnswerStep);
        ArgumentOutOfRangeException.ThrowIfNegative(problemCount);
        SearchCalls.ThrowIfInvalid(options);
        var trees = Enumerable.Range(0, problemCount).Select(p => new SearchTree(p)).ToArray();
        var expansions = new int[problemCount];
        var evaluations = new int[problemCount];
        for (int round = 0; round < options.Simulations; round++)
        {
            int[] leaves = trees.Select(t => Selection.SelectLeaf(t, options.ExplorationConstant)).ToArray();
            await ExpandAndScoreAsync(trees, leaves, options, expand, score, isAnswerStep, expansions, evaluations, ct).ConfigureAwait(false);
            for (int p = 0; p < problemCount; p++)
            {
                Backup.Propagate(trees[p], leaves[p], Backup.LeafValue(trees[p], leaves[p]));
            }
        }

        return trees.Select(tree =>
        {
            var random = DeterministicRandom.ForPurpose(seed, $"mcts-final/{tree.Problem}");
            int chosen = FinalChoice.Choose(tree, options.FinalSelection, options.Temperature, random);
            int best = FinalChoice.BestAnswer(tree);
            return new MctsResult(tree.Problem, tree.Path(chosen), best < 0 ? null : tree.Path(best), tree,
                expansions[tree.Problem], evaluations[tree.Problem]);
        }).ToList();
    }

    /// <summary>Expands every non-terminal leaf with one policy call and scores all new children with one reward call.</summary>
    private static async Task ExpandAndScoreAsync(
        SearchTree[] trees, int[] leaves, MctsOptions options, ExpandSteps expand, ScoreStates score, IsAnswerStep isAnswerStep,
        int[] expansions, int[] evaluations, CancellationToken ct)
    {
        int[] expanding = Enumerable.Range(0, trees.Length).Where(p => !trees[p].Terminal[leaves[p]]).ToArray();
        IReadOnlyList<IReadOnlyList<StepCandidate>> candidates = await SearchCalls.ExpandAsync(
            expand, expanding.Select(p => trees[p].State(leaves[p])).ToList(), options.CandidatesPerExpansion, ct).ConfigureAwait(false);

        var toScore = new List<(int Problem, int Node)>();
        for (int i = 0; i < expanding.Length; i++)
        {
            int p = expanding[i];
            expansions[p]++;
            foreach (int child in Expansion.Expand(trees[p], leaves[p], candidates[i] ?? [], options.MaxDepth, isAnswerStep))
            {
                toScore.Add((p, child));
            }
        }

        IReadOnlyList<double> scores = await SearchCalls.ScoreAsync(
            score, toScore.Select(x => trees[x.Problem].State(x.Node)).ToList(), ct).ConfigureAwait(false);
        for (int i = 0; i < toScore.Count; i++)
        {
            (int p, int node) = toScore[i];
            trees[p].SetScore(node, scores[i]);
            evaluations[p]++;
        }
    }
}
