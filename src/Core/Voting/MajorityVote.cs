using Reasoning.Core.Solutions;

namespace Reasoning.Core.Voting;

/// <summary>
/// The most frequent answer among candidates (Wang et al. 2023, "Self-Consistency Improves Chain of
/// Thought Reasoning"). Answers vote under their key (<see cref="KeyOf"/>): trimmed, then the task's solution format's
/// <see cref="ISolutionFormat.AnswerKey"/>, so the line format compares answers as written and free text counts
/// <c>1,234</c> and <c>1234</c> as one answer. Missing answers (and answers with an empty key) do not vote. Ties go to
/// the answer seen first, so the vote is deterministic.
/// </summary>
public static class MajorityVote
{
    /// <summary>
    /// The winning answer, as its first voter wrote it (trimmed), and that voter's index among the candidates; or
    /// (null, -1) when no candidate votes. With <paramref name="weights"/>, each vote counts its weight instead of 1.
    /// </summary>
    /// <example>
    /// Free text (GSM8K): <c>["1,234", "7", "1234", "7.0", "$1,234"]</c> → <c>("1,234", 0)</c>: 1234 has three votes,
    /// 7 two. The line format keeps the five answers apart, so the first of them wins the five-way tie: also
    /// <c>("1,234", 0)</c>, and <c>["7", "1,234", "1234"]</c> → <c>("7", 0)</c> there but <c>("1,234", 1)</c> in free text.
    /// </example>
    public static (string? Answer, int Index) Choose(IReadOnlyList<string?> answers, ISolutionFormat format, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(format);
        var totals = new Dictionary<string, (double Weight, int First)>(StringComparer.Ordinal);
        for (int i = 0; i < answers.Count; i++)
        {
            if (KeyOf(answers[i], format) is not { } key)
            {
                continue;
            }

            double weight = weights?[i] ?? 1.0;
            totals[key] = totals.TryGetValue(key, out var seen) ? (seen.Weight + weight, seen.First) : (weight, i);
        }

        if (totals.Count == 0)
        {
            return (null, -1);
        }

        var best = totals.OrderByDescending(kv => kv.Value.Weight).ThenBy(kv => kv.Value.First).First();
        return (answers[best.Value.First]!.Trim(), best.Value.First);
    }

    /// <summary>
    /// The key <paramref name="answer"/> votes under: <see cref="ISolutionFormat.AnswerKey"/> of the trimmed answer; null
    /// when it does not vote (null, blank, or an empty key). Two answers count as one exactly when their keys are equal.
    /// </summary>
    public static string? KeyOf(string? answer, ISolutionFormat format)
    {
        string? trimmed = answer?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        string key = format.AnswerKey(trimmed);
        return key.Length == 0 ? null : key;
    }

    /// <summary>
    /// The attempt of one question from its sampled completions, each parsed with <paramref name="format"/> (the task's):
    /// the majority answer (<see cref="Choose"/>) with the text that first gave it, or the first text and no answer when
    /// none has one.
    /// </summary>
    public static Strategies.Attempt Attempt(string questionId, IReadOnlyList<string> completions, ISolutionFormat format)
    {
        (string? answer, int index) = Choose(completions.Select(t => format.ParseCompletion(t).Answer).ToList(), format);
        return new Strategies.Attempt(questionId, answer, index >= 0 ? completions[index] : completions.Count > 0 ? completions[0] : "");
    }
}
