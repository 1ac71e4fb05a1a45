namespace Reasoning.Search.Mcts;

/// <summary>One line of reasoning a search settled on.</summary>
/// <param name="Steps">The steps after the question (the last may be the answer step).</param>
/// <param name="Score">The value of its last step (the reward model's score; 0 for the empty path).</param>
/// <param name="Terminal">It cannot be extended: answer step, cut-off step or maximum depth. When false
/// the strategy should complete it (e.g. by sampling the rest of the solution).</param>
/// <param name="EndsAtAnswer">Its last step states the answer (and was not cut off).</param>
internal sealed record SearchPath(IReadOnlyList<string> Steps, double Score, bool Terminal, bool EndsAtAnswer);
