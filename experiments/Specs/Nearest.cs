namespace Reasoning.Experiments.Specs;

/// <summary>"Did you mean" suggestions: the closest known word by edit distance, when it is close enough to be a typo.</summary>
internal static class Nearest
{
    /// <summary>
    /// The candidate closest to <paramref name="word"/>, or null when none is close enough to be a typo. Close means
    /// an optimal string alignment distance (insertions, deletions, substitutions and swaps of neighbours each cost
    /// 1, case ignored) within a third of the word's length (at least 1, at most 3), or, for snake_case names, the
    /// word's parts all being parts of the candidate or the other way round (<c>max_tokens</c> → <c>max_new_tokens</c>,
    /// <c>last</c> → <c>last_step</c>). Edit-distance matches beat part matches; ties go to the earlier candidate.
    /// </summary>
    public static string? Match(string word, IEnumerable<string> candidates)
    {
        string lower = word.ToLowerInvariant();
        int limit = Math.Clamp(word.Length / 3, 1, 3);
        string? best = null;
        int bestScore = int.MaxValue;
        foreach (string candidate in candidates)
        {
            string other = candidate.ToLowerInvariant();
            int distance = Distance(lower, other);
            int score = distance <= limit ? distance : SharesParts(lower, other) ? limit + distance : int.MaxValue;
            if (score < bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best;
    }

    private static bool SharesParts(string a, string b)
    {
        string[] aParts = a.Split('_', '-', '.');
        string[] bParts = b.Split('_', '-', '.');
        return a.Length > 1 && b.Length > 1 && (aParts.All(bParts.Contains) || bParts.All(aParts.Contains));
    }

    /// <summary>
    /// <c>unknown task 'arithmatic'; did you mean 'arithmetic'? known tasks: arithmetic, countdown</c>, or without the
    /// question when nothing is close.
    /// </summary>
    public static string Unknown(string what, string word, IReadOnlyList<string> known, string knownLabel) =>
        $"unknown {what} '{word}'{(Match(word, known) is { } near ? $"; did you mean '{near}'?" : ";")} {knownLabel}: {string.Join(", ", known)}";

    /// <summary><c>"; did you mean 'x'?"</c> when there is a near match, else empty.</summary>
    public static string Suggestion(string word, IEnumerable<string> candidates) =>
        Match(word, candidates) is { } match ? $"; did you mean '{match}'?" : "";

    /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
