namespace Reasoning.Search.Mcts;

/// <summary>One line of reasoning a search settled on.</summary>
/// <param name="Steps">The lines after the question (the last may be an answer line).</param>
/// <param name="Score">The value of its last step (the reward model's score; 0 for the empty path).</param>
/// <param name="Terminal">It cannot be extended: answer line, cut-off line or maximum depth. When false
/// the strategy should complete it (e.g. by sampling the rest of the solution).</param>
/// <param name="EndsAtAnswer">Its last line is an answer line.</param>
internal sealed record SearchPath(IReadOnlyList<string> Steps, double Score, bool Terminal, bool EndsAtAnswer);
