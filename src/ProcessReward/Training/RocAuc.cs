namespace Reasoning.ProcessReward.Training;

/// <summary>
/// Area under the ROC curve as the Mann-Whitney statistic: the probability that a random positive scores
/// above a random negative, a tie counting one half (Hanley &amp; McNeil 1982).
/// <para>
/// Worked example: scores 0.9, 0.8, 0.7, 0.6, 0.55 with labels 1, 1, 0, 1, 0. Of the 3 × 2 positive–negative
/// pairs, 0.9 and 0.8 beat both negatives, 0.6 beats 0.55 but not 0.7: AUC = 5/6. Scores 0.5, 0.5 with labels
/// 1, 0 tie: AUC = 1/2.
/// </para>
/// </summary>
public static class RocAuc
{
    /// <summary>The AUC, or NaN when either class is empty (it is undefined then).</summary>
    public static double Compute(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels");
        }

        // Rank sum of the positives, ties sharing their average rank: O(n log n).
        int[] order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        long positives = labels.Count(l => l), negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        double positiveRankSum = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end < order.Length && scores[order[end]] == scores[order[start]])
            {
                end++;
            }

            double averageRank = (start + 1 + end) / 2.0; // ranks start + 1 .. end
            for (int i = start; i < end; i++)
            {
                if (labels[order[i]])
                {
                    positiveRankSum += averageRank;
                }
            }

            start = end;
        }

        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
