using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;

namespace Reasoning.ProcessReward.Labels;

/// <summary>
/// Produces <paramref name="k"/> completions for each prefix: the text a policy writes after the question
/// and the prefix's steps (more steps and an answer step, in the task's solution format). One call receives every prefix, so the policy host
/// can generate them all in one batch. Returns one list of <paramref name="k"/> texts per prefix, in order.
/// </summary>
public delegate Task<IReadOnlyList<IReadOnlyList<string>>> RolloutFunction(
    IReadOnlyList<(Problem Problem, IReadOnlyList<string> Prefix)> prefixes, int k, CancellationToken cancellation);

/// <summary>How a step's rollouts become its label (Wang et al. 2024, "Math-Shepherd", §3.3).</summary>
public enum MonteCarloEstimate
{
    /// <summary>Hard estimation: 1 if any rollout reaches a right answer, else 0.</summary>
    Hard,

    /// <summary>Soft estimation: the fraction of rollouts that reach a right answer.</summary>
    Soft,
}

/// <summary>Settings of Monte-Carlo step labelling.</summary>
/// <param name="Rollouts">Completions per step prefix (Math-Shepherd uses N = 8).</param>
/// <param name="Estimate">Hard or soft labels.</param>
public sealed record MonteCarloOptions(int Rollouts = 8, MonteCarloEstimate Estimate = MonteCarloEstimate.Soft)
{
    public MonteCarloOptions Validate()
    {
        if (Rollouts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Rollouts), $"Monte-Carlo option {nameof(Rollouts)} must be at least 1, not {Rollouts}");
        }

        if (!Enum.IsDefined(Estimate))
        {
            throw new ArgumentOutOfRangeException(nameof(Estimate), $"Monte-Carlo option {nameof(Estimate)} must be Hard or Soft, not {Estimate}");
        }

        return this;
    }
}

/// <summary>
/// Process labels without a step checker, after Math-Shepherd (Wang et al. 2024): a step is as good as the
/// chance that the policy, continuing from the steps up to and including it, reaches a right answer.
/// The answer step is labelled by the verifier directly (no rollouts). Every step prefix of every solution
/// goes to the rollout function in one call. Solutions and rollouts are read by the task's solution format
/// (<see cref="IReasoningTask.SolutionFormat"/>), so the steps are lines or paragraphs as the task writes them; no
/// step checker is needed (the labels of a dataset).
/// <para>
/// Worked example, k = 4, steps s1, s2 and a right answer: rollouts after s1 verify 3 of 4, after s2 0 of 4
/// → soft labels 0.75, 0, 1; hard labels 1, 0, 1.
/// </para>
/// </summary>
public static class MonteCarloStepLabels
{
    /// <summary>Labels each completion (what a model wrote after its problem's question).</summary>
    public static async Task<IReadOnlyList<LabeledSolution>> LabelAsync(
        IReasoningTask task, IReadOnlyList<(Problem Problem, string Completion)> solutions, RolloutFunction rollout,
        MonteCarloOptions options, CancellationToken cancellation = default)
    {
        options.Validate();
        ISolutionFormat format = task.SolutionFormat;
        var parsed = solutions.Select(s => format.ParseCompletion(s.Completion)).ToArray();
        var prefixes = new List<(Problem Problem, IReadOnlyList<string> Prefix)>();
        for (int i = 0; i < solutions.Count; i++)
        {
            IReadOnlyList<string> steps = parsed[i].Steps;
            for (int j = 1; j <= steps.Count; j++)
            {
                prefixes.Add((solutions[i].Problem, steps.Take(j).ToArray()));
            }
        }

        IReadOnlyList<IReadOnlyList<string>> completions = prefixes.Count == 0
            ? []
            : await rollout(prefixes, options.Rollouts, cancellation).ConfigureAwait(false);
        if (completions.Count != prefixes.Count)
        {
            throw new InvalidOperationException($"the rollout function returned completions for {completions.Count} prefixes; it was given {prefixes.Count}");
        }

        var labelled = new LabeledSolution[solutions.Count];
        int next = 0;
        for (int i = 0; i < solutions.Count; i++)
        {
            Problem problem = solutions[i].Problem;
            IReadOnlyList<string> lines = LabeledSolution.LinesOf(parsed[i], format);
            var labels = new double[lines.Count];
            for (int j = 0; j < parsed[i].Steps.Count; j++)
            {
                labels[j] = Estimate(task, format, problem, completions[next++], options);
            }

            if (parsed[i].Answer is { } answer)
            {
                labels[^1] = task.VerifyAnswer(problem, answer) ? 1 : 0;
            }

            labelled[i] = new LabeledSolution(problem.Id, problem.Prompt, lines, labels) { Format = format };
        }

        return labelled;
    }

    /// <summary>The label of one step from the completions that continue after it.</summary>
    private static double Estimate(IReasoningTask task, ISolutionFormat format, Problem problem, IReadOnlyList<string> completions, MonteCarloOptions options)
    {
        if (completions.Count == 0)
        {
            throw new InvalidOperationException("the rollout function returned no completions for a prefix");
        }

        int right = completions.Count(c => task.VerifyAnswer(problem, format.ParseCompletion(c).Answer));
        return options.Estimate == MonteCarloEstimate.Hard ? (right > 0 ? 1 : 0) : (double)right / completions.Count;
    }
}
