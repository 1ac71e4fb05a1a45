namespace Reasoning.Search.Mcts;

/// <summary>
/// Backup: every simulation adds the value of the leaf it reached to each node on the path from the leaf
/// to the root and counts one visit there.
/// <para>
/// The value is the leaf's own score, as in AlphaZero, where the expanded leaf's network value is backed
/// up; here that value was computed one step earlier, when the leaf was created and scored with its
/// siblings. Terminal leaves back up their own score the same way (0 for cut-off lines). The fresh
/// children's scores are not averaged into the backup: they enter the search as those children's Q
/// before their first visit (see <see cref="SearchTree.Q"/>), and a mean over children would report the
/// policy's expected value, not the value of the best continuation, pulling a good prefix down whenever
/// the policy also proposed bad continuations of it.
/// </para>
/// </summary>
internal static class Backup
{
    /// <summary>The value a simulation that reached <paramref name="leaf"/> backs up.</summary>
    public static double LeafValue(SearchTree tree, int leaf) => tree.Score[leaf];

    /// <summary>Adds <paramref name="value"/> and one visit to <paramref name="leaf"/> and each of its ancestors.</summary>
    public static void Propagate(SearchTree tree, int leaf, double value)
    {
        for (int node = leaf; node != SearchTree.NoParent; node = tree.Parent[node])
        {
            tree.AddVisit(node, value);
        }
    }
}
