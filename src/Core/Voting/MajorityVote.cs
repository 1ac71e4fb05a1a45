namespace Reasoning.Core.Voting;

/// <summary>
/// The most frequent answer among candidates (Wang et al. 2023, "Self-Consistency Improves Chain of
/// Thought Reasoning"). Missing answers do not vote. Ties go to the answer seen first, so the vote
/// is deterministic. Answers are compared after trimming; a task may pass a normaliser.
/// </summary>
public static class MajorityVote
{
    /// <returns>The winning answer and its index among the candidates, or (null, -1) when no candidate has an answer.</returns>
    public static (string? Answer, int Index) Choose(IReadOnlyList<string?> answers, IReadOnlyList<double>? weights = null)
    {
        var totals = new Dictionary<string, (double Weight, int First)>(StringComparer.Ordinal);
        for (int i = 0; i < answers.Count; i++)
        {
            string? answer = answers[i]?.Trim();
            if (string.IsNullOrEmpty(answer))
            {
                continue;
            }

            double weight = weights?[i] ?? 1.0;
            totals[answer] = totals.TryGetValue(answer, out var seen) ? (seen.Weight + weight, seen.First) : (weight, i);
        }

        if (totals.Count == 0)
        {
            return (null, -1);
        }

        var best = totals.OrderByDescending(kv => kv.Value.Weight).ThenBy(kv => kv.Value.First).First();
        return (best.Key, best.Value.First);
    }

    /// <summary>
    /// The attempt of one question from its sampled completions: the majority answer (<see cref="Choose"/>) with the
    /// text that first gave it, or the first text and no answer when none has one.
    /// </summary>
    public static Strategies.Attempt Attempt(string questionId, IReadOnlyList<string> completions)
    {
        (string? answer, int index) = Choose(completions.Select(t => Solutions.SolutionText.ParseCompletion(t).Answer).ToList());
        return new Strategies.Attempt(questionId, answer, index >= 0 ? completions[index] : completions.Count > 0 ? completions[0] : "");
    }
}
