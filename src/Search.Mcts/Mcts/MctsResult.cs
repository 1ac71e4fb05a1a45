namespace Reasoning.Search.Mcts;

/// <summary>What MCTS found for one problem.</summary>
/// <param name="Problem">The problem's index within the batch.</param>
/// <param name="Chosen">The line picked by <see cref="MctsOptions.FinalSelection"/>. When it is not terminal
/// (the budget ran out above any answer) the strategy should complete it.</param>
/// <param name="BestTerminal">The best-scoring node anywhere in the tree that ends at a complete answer
/// step, or null if the search wrote none.</param>
/// <param name="Tree">The whole tree (for tests and inspection).</param>
/// <param name="Expansions">States this problem sent to <see cref="ExpandSteps"/>.</param>
/// <param name="Evaluations">States this problem sent to <see cref="ScoreStates"/>.</param>
internal sealed record MctsResult(int Problem, SearchPath Chosen, SearchPath? BestTerminal, SearchTree Tree, int Expansions, int Evaluations)
{
    public IReadOnlyList<string> Steps => Chosen.Steps;

    public bool EndsAtAnswer => Chosen.EndsAtAnswer;

    /// <summary>The chosen line stops at a node that is not terminal.</summary>
    public bool NeedsCompletion => !Chosen.Terminal;
}
