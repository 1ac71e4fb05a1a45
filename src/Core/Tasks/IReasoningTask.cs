using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;

namespace Reasoning.Core.Tasks;

/// <summary>
/// A reasoning task whose every step can be checked. Implementations are stateless and
/// thread-safe; a task from another assembly plugs in through <see cref="TaskRegistry"/>.
/// None of these methods may throw on model output: garbage is simply wrong.
/// <para>
/// A dataset (<see cref="Jsonl.JsonlTask"/>) is a task too, with three differences: its problems come from
/// <see cref="IProblemSource"/> rather than <see cref="Generate"/>; it has no step checker
/// (<see cref="HasStepChecker"/> is false); and its solutions are free text (<see cref="SolutionFormat"/>).
/// </para>
/// </summary>
public interface IReasoningTask
{
    /// <summary>The name used in experiment specs, e.g. <c>arithmetic</c>.</summary>
    string Name { get; }

    /// <summary>One sentence for <c>list</c>.</summary>
    string Description { get; }

    /// <summary>Smallest allowed difficulty. Difficulty is the number of steps of the reference solution.</summary>
    int MinDifficulty { get; }

    /// <summary>Largest allowed difficulty.</summary>
    int MaxDifficulty { get; }

    /// <summary>Every character a prompt, step or answer of this task can contain (the tokenizer's input).</summary>
    string Alphabet { get; }

    /// <summary>A random problem of the given difficulty, drawing every choice from <paramref name="random"/>.</summary>
    Problem Generate(int difficulty, DeterministicRandom random);

    /// <summary>Whether <paramref name="answer"/> is a right final answer to <paramref name="problem"/>.</summary>
    bool VerifyAnswer(Problem problem, string? answer);

    /// <summary>
    /// Judges each step given the question and the steps before it: whether it is valid, and
    /// whether the problem can still be solved from the state it leads to. One verdict per step.
    /// A task without a step checker (<see cref="HasStepChecker"/> false) throws <see cref="NotSupportedException"/>.
    /// </summary>
    IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps);

    /// <summary>
    /// Whether <see cref="CheckSteps"/> judges steps exactly (the synthetic tasks). A dataset has no step checker: its
    /// steps are labelled by Monte-Carlo rollouts, never by exact labels. True unless a task says otherwise.
    /// </summary>
    bool HasStepChecker => true;

    /// <summary>How this task's solutions are written; the one-step-per-line format unless a task says otherwise.</summary>
    ISolutionFormat SolutionFormat => LineSolutionFormat.Instance;
}

/// <summary>The judgement of one step.</summary>
/// <param name="IsValid">The step is well formed and follows from the question and the steps before it.</param>
/// <param name="CanStillSolve">From the state after this step, a right answer can still be reached.</param>
/// <param name="IsFinal">After this step the derivation is complete (nothing is left to do).</param>
/// <param name="Reason">Why the step is invalid or a dead end; empty for a good step.</param>
public readonly record struct StepVerdict(bool IsValid, bool CanStillSolve, bool IsFinal, string Reason)
{
    /// <summary>Valid, and the problem can still be solved: the exact process label.</summary>
    public bool IsGood => IsValid && CanStillSolve;

    public static StepVerdict Good(bool isFinal) => new(true, true, isFinal, "");

    public static StepVerdict DeadEnd(string reason) => new(true, false, false, reason);

    public static StepVerdict Invalid(string reason) => new(false, false, false, reason);
}

/// <summary>Conveniences over <see cref="IReasoningTask"/>.</summary>
public static class ReasoningTaskExtensions
{
    /// <summary>Judges one step given the steps before it.</summary>
    public static StepVerdict CheckStep(this IReasoningTask task, Problem problem, IReadOnlyList<string> previousSteps, string step)
    {
        var steps = new List<string>(previousSteps.Count + 1);
        steps.AddRange(previousSteps);
        steps.Add(step);
        return task.CheckSteps(problem, steps)[^1];
    }

    /// <summary>True when every step is good and the last one completes the derivation.</summary>
    public static bool IsCompleteDerivation(this IReasoningTask task, Problem problem, IReadOnlyList<string> steps)
    {
        if (steps.Count == 0)
        {
            return false;
        }

        IReadOnlyList<StepVerdict> verdicts = task.CheckSteps(problem, steps);
        return verdicts.All(v => v.IsGood) && verdicts[^1].IsFinal;
    }

    /// <summary>Throws a clear error when the task has no step checker (<see cref="IReasoningTask.HasStepChecker"/>), before exact labels are asked of it.</summary>
    /// <exception cref="NotSupportedException">The task has no step checker; the message says to use Monte-Carlo labels.</exception>
    public static void RequireStepChecker(this IReasoningTask task)
    {
        if (!task.HasStepChecker)
        {
            throw NoStepChecker(task);
        }
    }

    /// <summary>The error of asking a task without a step checker for exact step labels.</summary>
    public static NotSupportedException NoStepChecker(IReasoningTask task) => new(
        $"task '{task.Name}' has no step checker (a dataset cannot judge one step of free text), so it has no exact step labels; " +
        "label steps by Monte-Carlo rollouts instead (labels: monte_carlo)");

    /// <summary>Throws a clear error when <paramref name="difficulty"/> is outside the task's range.</summary>
    public static void ValidateDifficulty(this IReasoningTask task, int difficulty)
    {
        if (difficulty < task.MinDifficulty || difficulty > task.MaxDifficulty)
        {
            throw new ArgumentOutOfRangeException(
                nameof(difficulty), difficulty,
                $"task '{task.Name}' allows difficulty {task.MinDifficulty} to {task.MaxDifficulty} (the number of steps), not {difficulty}");
        }
    }
}

/// <summary>Shared helper for the step checkers: the verdicts of the steps after the first invalid one.</summary>
internal static class StepVerdicts
{
    /// <summary>Fills verdicts for steps from <paramref name="from"/> on, after step <paramref name="from"/> - 1 was invalid.</summary>
    public static void FillAfterInvalid(StepVerdict[] verdicts, int from)
    {
        for (int i = from; i < verdicts.Length; i++)
        {
            verdicts[i] = StepVerdict.Invalid($"follows invalid step {from}");
        }
    }
}
