using Reasoning.Core.Solutions;
using Reasoning.Core.Voting;

namespace Reasoning.Search.Mcts.BestOfN;

/// <summary>How best-of-N picks among scored complete solutions.</summary>
public enum BestOfNMode
{
    /// <summary>The highest score (ties: the earlier candidate). Candidates without an answer compete too.</summary>
    MaxScore,

    /// <summary>The most frequent answer (self-consistency, Wang et al. 2023); scores ignored.</summary>
    Majority,

    /// <summary>The answer with the largest sum of scores (Li et al. 2023, "Making Language Models Better
    /// Reasoners with Step-Aware Verifier"; Wang et al. 2024, Math-Shepherd).</summary>
    WeightedMajority,
}

/// <summary>One scored candidate solution.</summary>
/// <param name="Answer">Its final answer, or null when it has none.</param>
/// <param name="Score">The reward model's score of the solution, in [0, 1].</param>
internal readonly record struct ScoredCandidate(string? Answer, double Score);

/// <summary>Best-of-N: the one choice among N scored candidates, as a pure function.</summary>
internal static class BestOfNSelection
{
    /// <summary>
    /// The index of the chosen candidate, or −1 when there is none (no candidates; or, for the majority
    /// modes, no candidate with an answer). The majority modes vote through <see cref="MajorityVote"/>
    /// (answers compared by their key under <paramref name="format"/>, the task's: as written for the line format,
    /// as the same number for free text; missing answers do not vote, ties go to the answer seen first);
    /// <see cref="BestOfNMode.Majority"/> returns the first candidate holding the winning answer,
    /// <see cref="BestOfNMode.WeightedMajority"/> the best-scoring one (ties: earlier). NaN scores count as 0
    /// in sums and below every number in comparisons.
    /// </summary>
    /// <example>
    /// Answers [5, 7, 7, null, 5] with scores [0.9, 0.3, 0.4, 1.0, 0.2]: MaxScore → 3 (the answerless 1.0);
    /// Majority → 0 (5 and 7 tie at two votes, 5 came first); WeightedMajority → 0 (5: 1.1, 7: 0.7).
    /// </example>
    public static int Choose(IReadOnlyList<ScoredCandidate> candidates, BestOfNMode mode, ISolutionFormat format)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(format);
        switch (mode)
        {
            case BestOfNMode.MaxScore:
                return BestScoring(candidates, Enumerable.Range(0, candidates.Count));
            case BestOfNMode.Majority:
                return MajorityVote.Choose(candidates.Select(c => c.Answer).ToList(), format).Index;
            case BestOfNMode.WeightedMajority:
                (_, int first) = MajorityVote.Choose(
                    candidates.Select(c => c.Answer).ToList(),
                    format,
                    candidates.Select(c => double.IsNaN(c.Score) ? 0 : c.Score).ToList());
                if (first < 0)
                {
                    return -1;
                }

                string? winner = MajorityVote.KeyOf(candidates[first].Answer, format);
                return BestScoring(candidates, Enumerable.Range(0, candidates.Count).Where(i => MajorityVote.KeyOf(candidates[i].Answer, format) == winner));
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown best-of-n mode");
        }
    }

    /// <summary>The index among <paramref name="indices"/> with the highest score (ties: earlier; NaN lowest), or −1.</summary>
    private static int BestScoring(IReadOnlyList<ScoredCandidate> candidates, IEnumerable<int> indices)
    {
        int best = -1;
        foreach (int i in indices)
        {
            if (best < 0 || candidates[i].Score > candidates[best].Score || (double.IsNaN(candidates[best].Score) && !double.IsNaN(candidates[i].Score)))
            {
                best = i;
            }
        }

        return best;
    }
}
