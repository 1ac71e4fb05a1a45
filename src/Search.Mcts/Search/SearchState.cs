using Reasoning.Core.Solutions;

namespace Reasoning.Search.Mcts;

/// <summary>
/// A partial solution of one problem: the lines written after the question so far, each without its
/// newline (see <see cref="SolutionText"/>). The last line may be an answer line.
/// </summary>
/// <param name="Problem">The problem's index within the batch being searched.</param>
/// <param name="Steps">The lines after the question, in order.</param>
internal sealed record SearchState(int Problem, IReadOnlyList<string> Steps)
{
    /// <summary>Whether the last line is an answer line.</summary>
    public bool EndsAtAnswer => Steps.Count > 0 && SolutionText.IsAnswerLine(Steps[^1]);

    /// <summary>The state, one line longer.</summary>
    public SearchState Append(string step) => this with { Steps = [.. Steps, step] };
}

/// <summary>One sampled next line.</summary>
/// <param name="Text">The line, without its newline.</param>
/// <param name="LogProbability">Its total log-probability under the policy (sum over its tokens).</param>
/// <param name="Finished">False when the sampler cut the line off before its end of line: such a
/// candidate is a dead end (terminal, no answer).</param>
/// <param name="Tokens">Tokens sampled for it, its end token included (0 when unknown, as from stubs); for accounting checks only.</param>
internal sealed record StepCandidate(string Text, double LogProbability, bool Finished = true, int Tokens = 0);

/// <summary>When a state ends, shared by every search so they agree.</summary>
internal static class Termination
{
    /// <summary>
    /// A state is terminal when its last line is an answer line, the line was cut off
    /// (<paramref name="lastFinished"/> false), or it has <paramref name="maxDepth"/> lines.
    /// </summary>
    public static bool IsTerminal(IReadOnlyList<string> steps, bool lastFinished, int maxDepth) =>
        !lastFinished || steps.Count >= maxDepth || (steps.Count > 0 && SolutionText.IsAnswerLine(steps[^1]));

    /// <summary>The same rule for a line about to be appended at depth <paramref name="depth"/> (its line count).</summary>
    public static bool IsTerminal(string text, bool finished, int depth, int maxDepth) =>
        !finished || depth >= maxDepth || SolutionText.IsAnswerLine(text);
}
