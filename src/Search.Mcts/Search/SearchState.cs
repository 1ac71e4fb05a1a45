namespace Reasoning.Search.Mcts;

/// <summary>
/// A partial solution of one problem: the steps written after the question so far, each without its separator (a
/// line, or a paragraph of free text). The last step may state the answer.
/// </summary>
/// <param name="Problem">The problem's index within the batch being searched.</param>
/// <param name="Steps">The steps after the question, in order.</param>
internal sealed record SearchState(int Problem, IReadOnlyList<string> Steps)
{
    /// <summary>The state, one step longer.</summary>
    public SearchState Append(string step) => this with { Steps = [.. Steps, step] };
}

/// <summary>One sampled next step.</summary>
/// <param name="Text">The step, without its separator.</param>
/// <param name="LogProbability">Its total log-probability under the policy (sum over its tokens).</param>
/// <param name="Finished">False when the sampler cut the step off before its end: such a
/// candidate is a dead end (terminal, no answer).</param>
/// <param name="Tokens">Tokens sampled for it, its end token included (0 when unknown, as from stubs); for accounting checks only.</param>
internal sealed record StepCandidate(string Text, double LogProbability, bool Finished = true, int Tokens = 0);

/// <summary>When a state ends, shared by every search so they agree.</summary>
internal static class Termination
{
    /// <summary>Whether a sampled step states the answer: it was finished (not cut off) and the format reads it as an answer step.</summary>
    public static bool EndsAtAnswer(string text, bool finished, IsAnswerStep isAnswerStep) => finished && isAnswerStep(text);

    /// <summary>
    /// A step about to be appended at depth <paramref name="depth"/> (the state's step count with it) ends its state when
    /// it states the answer (<paramref name="endsAtAnswer"/>, see <see cref="EndsAtAnswer"/>), was cut off
    /// (<paramref name="finished"/> false), or the state reaches <paramref name="maxDepth"/> steps.
    /// </summary>
    public static bool IsTerminal(bool endsAtAnswer, bool finished, int depth, int maxDepth) =>
        !finished || depth >= maxDepth || endsAtAnswer;
}
