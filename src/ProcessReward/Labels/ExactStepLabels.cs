using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;

namespace Reasoning.ProcessReward.Labels;

/// <summary>
/// Exact process labels from a task's step checker, the "oracle" labels of PRM800K-style supervision
/// (Lightman et al. 2023, "Let's Verify Step by Step") without the human: a step is labelled 1 when it
/// is valid and the problem can still be solved after it (<see cref="StepVerdict.IsGood"/>), and 0 from
/// the first bad step on; the answer step is labelled by the verifier. Only a task with a step checker has exact
/// labels (<see cref="IReasoningTask.HasStepChecker"/>; a dataset has none and is labelled by
/// <see cref="MonteCarloStepLabels"/>).
/// <para>
/// Worked example, <c>(3+4)*5-6</c>: <c>3+4=7</c>, <c>7*5=36</c>, <c>36-6=30</c>, <c>answer: 30</c>
/// → 1, 0, 0, 0 (the second step is wrong; the third is arithmetic on a wrong number; 30 is not 29).
/// </para>
/// </summary>
public static class ExactStepLabels
{
    /// <summary>
    /// Labels what a model wrote after the question, read by the task's solution format. Never throws on model output:
    /// garbage gives the steps that parse, empty text none.
    /// </summary>
    /// <exception cref="NotSupportedException">The task has no step checker; the message says to use Monte-Carlo labels.</exception>
    public static LabeledSolution Label(IReasoningTask task, Problem problem, string? completion)
    {
        task.RequireStepChecker();
        ISolutionFormat format = task.SolutionFormat;
        ParsedSolution parsed = format.ParseCompletion(completion);
        IReadOnlyList<string> lines = LabeledSolution.LinesOf(parsed, format);
        var labels = new double[lines.Count];
        IReadOnlyList<StepVerdict> verdicts = parsed.Steps.Count == 0 ? [] : task.CheckSteps(problem, parsed.Steps);
        bool onTrack = true;
        for (int i = 0; i < parsed.Steps.Count; i++)
        {
            onTrack = onTrack && i < verdicts.Count && verdicts[i].IsGood;
            labels[i] = onTrack ? 1 : 0;
        }

        if (parsed.Answer is { } answer)
        {
            labels[^1] = task.VerifyAnswer(problem, answer) ? 1 : 0;
        }

        return new LabeledSolution(problem.Id, problem.Prompt, lines, labels) { Format = format };
    }
}
