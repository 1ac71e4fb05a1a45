using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;

namespace Reasoning.SelfPlay.R1.Rewards;

/// <summary>The weights of the rewards in the one place they are combined. YAML keys: <c>accuracy_weight</c>, <c>format_weight</c>.</summary>
/// <param name="Accuracy">Weight of <see cref="OutcomeRewards.Accuracy"/>.</param>
/// <param name="Format">Weight of <see cref="OutcomeRewards.Format"/>.</param>
public sealed record RewardWeights(double Accuracy = 1.0, double Format = 0.1)
{
    public RewardWeights Validate()
    {
        if (!double.IsFinite(Accuracy) || !double.IsFinite(Format) || Accuracy < 0 || Format < 0 || Accuracy + Format == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Accuracy), $"reward weights must be finite and non-negative, not both 0; got accuracy_weight {Accuracy}, format_weight {Format}");
        }

        return this;
    }
}

/// <summary>One response's rewards: each part in {0, 1}, and their weighted sum.</summary>
public readonly record struct RewardBreakdown(double Accuracy, double Format, double Total);

/// <summary>
/// Outcome-only rewards of R1-style training (DeepSeek-R1, 2025: "accuracy rewards" and "format rewards"): nothing
/// judges the steps. Pure functions of the task (its verifier and its solution format,
/// <see cref="IReasoningTask.SolutionFormat"/>), the problem and the model's text; they never throw on model output.
/// </summary>
public static class OutcomeRewards
{
    /// <summary>1 when the completion's answer step (as the task's format reads it) holds an answer the task verifies, else 0 (no answer: 0).</summary>
    public static double Accuracy(IReasoningTask task, Problem problem, string? completion)
    {
        ParsedSolution parsed = task.SolutionFormat.ParseCompletion(completion);
        return parsed.Answer is { } answer && Verify(task, problem, answer) ? 1 : 0;
    }

    /// <summary>
    /// 1 when the completion is in <paramref name="format"/> (the task's): at least one step, every step well-formed
    /// (none skipped as malformed), an answer step, and nothing cut off before it; else 0. Whether the steps are right is
    /// not its business.
    /// </summary>
    /// <example>
    /// Free text with GSM8K answers and paragraph steps: <c>"Half of 84 is 42.\n\n#### 42\n\n"</c> → 1;
    /// <c>"#### 42\n\n"</c> → 0 (no step); <c>"Half of 84 is 42.\n\nanswer: 42\n\n"</c> → 0 (no answer step in that format).
    /// </example>
    public static double Format(ISolutionFormat format, string? completion)
    {
        ParsedSolution parsed = format.ParseCompletion(completion);
        return parsed.Steps.Count > 0 && parsed.MalformedLines == 0 && parsed.HasAnswer && !parsed.Truncated ? 1 : 0;
    }

    /// <summary>Both rewards and their weighted sum: <c>accuracy_weight · accuracy + format_weight · format</c>.</summary>
    public static RewardBreakdown Score(IReasoningTask task, Problem problem, string? completion, RewardWeights weights)
    {
        double accuracy = Accuracy(task, problem, completion);
        double format = Format(task.SolutionFormat, completion);
        return new RewardBreakdown(accuracy, format, weights.Accuracy * accuracy + weights.Format * format);
    }

    /// <summary>A task's verifier is code too; an exception from it is a wrong answer, not a crash of training.</summary>
    private static bool Verify(IReasoningTask task, Problem problem, string answer)
    {
        try
        {
            return task.VerifyAnswer(problem, answer);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
