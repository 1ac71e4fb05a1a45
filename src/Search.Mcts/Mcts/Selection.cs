namespace Reasoning.Search.Mcts;

/// <summary>
/// Selection by PUCT (AlphaZero, Silver et al. 2018):
/// <code>
/// a* = argmax_a  Q(s, a) + c_puct · P(s, a) · √N(s) / (1 + N(s, a))
/// </code>
/// with N(s) the parent's visit count and Q from <see cref="SearchTree.Q"/> (the child's score before its
/// first visit). Values are reward-model scores in [0, 1], so Q needs no min-max normalisation (mctx's
/// <c>qtransform</c>). Ties go to the lower index, so selection is deterministic.
/// </summary>
internal static class Selection
{
    /// <summary>
    /// c_puct: MuZero's c1 = 1.25 (Schrittwieser et al. 2020, pseudocode <c>pb_c_init</c>), without its
    /// log((N + c2 + 1) / c2) term, which stays below 0.01 for the few hundred visits of a step search
    /// (c2 = 19652).
    /// </summary>
    public const double DefaultExplorationConstant = 1.25;

    /// <summary>The PUCT score of <paramref name="child"/>.</summary>
    public static double Puct(SearchTree tree, int child, double explorationConstant)
    {
        int parent = tree.Parent[child];
        return tree.Q(child)
            + (explorationConstant * tree.Prior[child] * Math.Sqrt(tree.VisitCount[parent]) / (1 + tree.VisitCount[child]));
    }

    /// <summary>The child of an expanded <paramref name="node"/> PUCT picks.</summary>
    public static int SelectChild(SearchTree tree, int node, double explorationConstant)
    {
        int best = -1;
        double bestScore = double.NegativeInfinity;
        foreach (int child in tree.Children(node))
        {
            double score = Puct(tree, child, explorationConstant);
            if (best < 0 || score > bestScore)
            {
                best = child;
                bestScore = score;
            }
        }

        return best;
    }

    /// <summary>From the root down by PUCT to a node that is terminal or not expanded yet.</summary>
    public static int SelectLeaf(SearchTree tree, double explorationConstant)
    {
        int node = SearchTree.RootIndex;
        while (!tree.Terminal[node] && tree.IsExpanded(node))
        {
            node = SelectChild(tree, node, explorationConstant);
        }

        return node;
    }
}
