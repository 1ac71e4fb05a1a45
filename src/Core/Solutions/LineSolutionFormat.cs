namespace Reasoning.Core.Solutions;

/// <summary>
/// The synthetic tasks' format, one step per line and an answer line (<see cref="SolutionText"/>), behind
/// <see cref="ISolutionFormat"/>. Every member passes through to <see cref="SolutionText"/>, so its behaviour is that
/// format's exactly; only <see cref="ParsedSolution.AnswerStep"/> is filled in (the answer line as
/// <see cref="SolutionText.RenderCompletion"/> writes it).
/// </summary>
public sealed class LineSolutionFormat : ISolutionFormat
{
    private LineSolutionFormat()
    {
    }

    /// <summary>The one instance (the format has no settings).</summary>
    public static LineSolutionFormat Instance { get; } = new();

    public string Name => "lines";

    public string StepSeparator => "\n";

    public ParsedSolution ParseCompletion(string? completion)
    {
        ParsedSolution parsed = SolutionText.ParseCompletion(completion);
        return parsed.Answer is { } answer ? parsed with { AnswerStep = AnswerStep(answer) } : parsed;
    }

    public string RenderCompletion(IEnumerable<string> steps, string answer) => SolutionText.RenderCompletion(steps, answer);

    public string RenderSteps(IEnumerable<string> steps) => SolutionText.RenderLines(steps);

    public bool IsAnswerStep(string step) => SolutionText.IsAnswerLine(step);

    public string AnswerStep(string answer) => SolutionText.AnswerPrefix + answer;

    /// <summary>The answer as written: the synthetic tasks' votes compare answers as text.</summary>
    public string AnswerKey(string answer) => answer;
}
