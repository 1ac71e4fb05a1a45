namespace Reasoning.Search.Mcts.Beam;

/// <summary>What beam search found for one problem.</summary>
/// <param name="Problem">The problem's index within the batch.</param>
/// <param name="Chosen">The highest-scoring finished beam that ends at an answer step; failing that, the
/// highest-scoring beam left (finished without an answer, or unfinished because the policy proposed
/// nothing more), its flags saying which.</param>
/// <param name="Finished">Every finished beam, in the order it finished.</param>
/// <param name="Expansions">States this problem sent to <see cref="ExpandSteps"/>.</param>
/// <param name="Evaluations">States this problem sent to <see cref="ScoreStates"/>.</param>
internal sealed record BeamResult(int Problem, SearchPath Chosen, IReadOnlyList<SearchPath> Finished, int Expansions, int Evaluations)
{
    public IReadOnlyList<string> Steps => Chosen.Steps;

    public bool EndsAtAnswer => Chosen.EndsAtAnswer;

    /// <summary>The chosen beam is not terminal: the strategy should complete it.</summary>
    public bool NeedsCompletion => !Chosen.Terminal;
}
