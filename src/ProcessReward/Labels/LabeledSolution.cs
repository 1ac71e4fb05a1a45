using Reasoning.Core.Solutions;

namespace Reasoning.ProcessReward.Labels;

/// <summary>
/// A solution with one label per line, the training example of a reward model.
/// </summary>
/// <param name="ProblemId">The problem it solves (train and held-out splits are made by problem, so no problem is in both).</param>
/// <param name="Prompt">The question line.</param>
/// <param name="Lines">The lines written after the question: the steps, then the answer line if there is one (<c>answer: 29</c>). No line contains a newline.</param>
/// <param name="Labels">One per line, in [0, 1]: the probability that the solution is still on a right track after that line.</param>
public sealed record LabeledSolution(string ProblemId, string Prompt, IReadOnlyList<string> Lines, IReadOnlyList<double> Labels)
{
    /// <summary>Throws a clear error for a malformed example.</summary>
    public LabeledSolution Validate()
    {
        if (Lines.Count != Labels.Count)
        {
            throw new ArgumentException($"solution of '{ProblemId}' has {Lines.Count} lines but {Labels.Count} labels");
        }

        for (int i = 0; i < Labels.Count; i++)
        {
            if (!(Labels[i] >= 0 && Labels[i] <= 1))
            {
                throw new ArgumentException($"label {i} of the solution of '{ProblemId}' is {Labels[i]}; labels lie in [0, 1]");
            }
        }

        return this;
    }

    /// <summary>Whether the last line is the answer line (what an outcome reward model is trained on).</summary>
    public bool EndsWithAnswer => Lines.Count > 0 && SolutionText.IsAnswerLine(Lines[^1]);

    /// <summary>The lines of a parsed solution: its steps, then its answer line if it has an answer.</summary>
    public static IReadOnlyList<string> LinesOf(ParsedSolution parsed)
    {
        var lines = new List<string>(parsed.Steps.Count + 1);
        lines.AddRange(parsed.Steps);
        if (parsed.Answer is { } answer)
        {
            lines.Add(AnswerLine(answer));
        }

        return lines;
    }

    /// <summary>The answer line for <paramref name="answer"/>, as <see cref="SolutionText.RenderCompletion"/> writes it.</summary>
    public static string AnswerLine(string answer) => SolutionText.AnswerPrefix + answer;
}
