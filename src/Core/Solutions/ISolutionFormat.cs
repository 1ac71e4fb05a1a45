namespace Reasoning.Core.Solutions;

/// <summary>
/// How a solution is written after its question: steps, each ended by <see cref="StepSeparator"/>, the last of them
/// stating the answer. Two formats exist: <see cref="LineSolutionFormat"/> (the synthetic tasks' one step per line and
/// <c>answer: 29</c>) and <see cref="FreeText.FreeTextFormat"/> (paragraphs or lines of free text, the answer marked
/// as a dataset marks it: <c>#### 42</c>, <c>\boxed{5}</c>). A task says which it uses
/// (<see cref="Tasks.IReasoningTask.SolutionFormat"/>), so a sampler or a search handles either the same way:
/// <code>
/// ISolutionFormat format = task.SolutionFormat;
/// string prefix = format.RenderSteps(stepsSoFar);       // what the policy continues from, after the question
/// // ... sample until format.StepSeparator, giving one more step ...
/// if (format.IsAnswerStep(step)) { /* the solution is complete */ }
/// string? answer = format.ParseCompletion(completion).Answer;
/// bool right = task.VerifyAnswer(problem, answer);
/// </code>
/// Implementations are immutable and thread-safe; parsing never throws on model output.
/// </summary>
public interface ISolutionFormat
{
    /// <summary>A short name for logs and records, e.g. <c>lines</c> or <c>paragraphs/boxed</c>.</summary>
    string Name { get; }

    /// <summary>What ends each step, the answer step included: <c>"\n"</c> for lines, <c>"\n\n"</c> for paragraphs.</summary>
    string StepSeparator { get; }

    /// <summary>
    /// The steps and answer of what a model wrote after the question. Never throws: garbage parses to no answer. The
    /// first answer step ends the solution (what follows it is ignored); steps do not include it
    /// (<see cref="ParsedSolution.AnswerStep"/> holds it).
    /// </summary>
    ParsedSolution ParseCompletion(string? completion);

    /// <summary>
    /// The completion that writes <paramref name="steps"/> and then states <paramref name="answer"/>, each step ended by
    /// <see cref="StepSeparator"/>; <see cref="ParseCompletion"/> reads <paramref name="answer"/> back.
    /// </summary>
    string RenderCompletion(IEnumerable<string> steps, string answer);

    /// <summary>Steps written so far, each ended by <see cref="StepSeparator"/>: the text a policy continues from.</summary>
    string RenderSteps(IEnumerable<string> steps);

    /// <summary>Whether <paramref name="step"/> (one step, without its separator) states an answer and so ends the solution.</summary>
    bool IsAnswerStep(string step);

    /// <summary>The step that states <paramref name="answer"/> and nothing else, e.g. <c>answer: 29</c> or <c>#### 42</c>.</summary>
    string AnswerStep(string answer);

    /// <summary>
    /// The key under which <paramref name="answer"/> (a parsed answer, trimmed) is counted in a vote
    /// (<see cref="Voting.MajorityVote"/>): answers this format's tasks consider equal have equal keys
    /// (<c>1,234</c> and <c>1234</c> for free text), and an answer whose key is empty does not vote. The answer as it is
    /// unless a format says otherwise (the line format compares answers as written).
    /// </summary>
    string AnswerKey(string answer) => answer;
}
