using Reasoning.Core.Solutions;

namespace Reasoning.ProcessReward.Labels;

/// <summary>
/// A solution with one label per step, the training example of a reward model.
/// </summary>
/// <param name="ProblemId">The problem it solves (train and held-out splits are made by problem, so no problem is in both).</param>
/// <param name="Prompt">The question.</param>
/// <param name="Lines">The steps written after the question, as <see cref="Format"/> separates them (a line each, or a
/// paragraph each), then the answer step if there is one (<c>answer: 29</c>, <c>#### 42</c>, a paragraph ending
/// <c>\boxed{5}</c>). No step contains the format's step separator.</param>
/// <param name="Labels">One per step, in [0, 1]: the probability that the solution is still on a right track after that step.</param>
public sealed record LabeledSolution(string ProblemId, string Prompt, IReadOnlyList<string> Lines, IReadOnlyList<double> Labels)
{
    /// <summary>How the solution is written (the task's <see cref="Core.Tasks.IReasoningTask.SolutionFormat"/>); the line format unless set.</summary>
    public ISolutionFormat Format { get; init; } = LineSolutionFormat.Instance;

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

    /// <summary>Whether the last step states the answer (<see cref="ISolutionFormat.IsAnswerStep"/>): what an outcome reward model is trained on.</summary>
    public bool EndsWithAnswer => Lines.Count > 0 && Format.IsAnswerStep(Lines[^1]);

    /// <summary>
    /// The steps of a parsed solution, then its answer step if it has an answer: the step the parser found
    /// (<see cref="ParsedSolution.AnswerStep"/>), or else <paramref name="format"/>'s answer step for the answer.
    /// </summary>
    public static IReadOnlyList<string> LinesOf(ParsedSolution parsed, ISolutionFormat format)
    {
        var lines = new List<string>(parsed.Steps.Count + 1);
        lines.AddRange(parsed.Steps);
        if (parsed.Answer is { } answer)
        {
            lines.Add(parsed.AnswerStep ?? format.AnswerStep(answer));
        }

        return lines;
    }
}
