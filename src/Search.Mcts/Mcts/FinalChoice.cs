using Reasoning.Core.Problems;

namespace Reasoning.Search.Mcts;

/// <summary>
/// The line MCTS returns: from the root, repeatedly pick a child until a terminal node or a node never
/// expanded. Children created by the last expansions have no visits yet; among them the visit-count
/// rules fall back to Q, which is then the reward model's score.
/// </summary>
internal static class FinalChoice
{
    /// <summary>The node the returned line ends at.</summary>
    public static int Choose(SearchTree tree, FinalSelection selection, double temperature, DeterministicRandom random)
    {
        int node = SearchTree.RootIndex;
        while (!tree.Terminal[node] && tree.IsExpanded(node))
        {
            node = selection switch
            {
                FinalSelection.BestValue => BestValue(tree, node),
                _ when temperature > 0 => SampleByVisits(tree, node, temperature, random),
                _ => MostVisited(tree, node),
            };
        }

        return node;
    }

    /// <summary>The most-visited child; ties: higher Q, then lower index.</summary>
    public static int MostVisited(SearchTree tree, int node) =>
        tree.Children(node).Aggregate((best, child) =>
            tree.VisitCount[child] > tree.VisitCount[best]
            || (tree.VisitCount[child] == tree.VisitCount[best] && tree.Q(child) > tree.Q(best)) ? child : best);

    /// <summary>The child with the highest Q; ties: more visits, then lower index.</summary>
    public static int BestValue(SearchTree tree, int node) =>
        tree.Children(node).Aggregate((best, child) =>
            tree.Q(child) > tree.Q(best)
            || (tree.Q(child) == tree.Q(best) && tree.VisitCount[child] > tree.VisitCount[best]) ? child : best);

    /// <summary>
    /// A child drawn with probability ∝ N^(1/T) (AlphaZero's move temperature), computed as
    /// exp((ln N − ln N_max) / T) so small temperatures do not overflow. With no visited child it falls
    /// back to <see cref="MostVisited"/>. Exactly one draw from <paramref name="random"/> per call.
    /// </summary>
    public static int SampleByVisits(SearchTree tree, int node, double temperature, DeterministicRandom random)
    {
        int[] children = tree.Children(node).ToArray();
        double draw = random.NextDouble();
        int maxVisits = children.Max(c => tree.VisitCount[c]);
        if (maxVisits == SearchTree.Unvisited)
        {
            return MostVisited(tree, node);
        }

        double[] weights = children
            .Select(c => tree.VisitCount[c] == SearchTree.Unvisited ? 0
                : Math.Exp((Math.Log(tree.VisitCount[c]) - Math.Log(maxVisits)) / temperature))
            .ToArray();
        double threshold = draw * weights.Sum();
        double cumulative = 0;
        for (int i = 0; i < children.Length; i++)
        {
            cumulative += weights[i];
            if (weights[i] > 0 && threshold < cumulative)
            {
                return children[i];
            }
        }

        // Rounding left the threshold at the very top: the last child with weight.
        return children[Array.FindLastIndex(weights, w => w > 0)];
    }

    /// <summary>The best-scoring node anywhere in the tree that ends at an answer step (ties: lower index), or -1.</summary>
    public static int BestAnswer(SearchTree tree)
    {
        int best = -1;
        for (int node = 0; node < tree.Count; node++)
        {
            if (tree.EndsAtAnswer(node) && (best < 0 || tree.Score[node] > tree.Score[best]))
            {
                best = node;
            }
        }

        return best;
    }
}
