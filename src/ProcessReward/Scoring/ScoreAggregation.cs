namespace Reasoning.ProcessReward.Scoring;

/// <summary>How the per-line scores of one solution become one score (Lightman et al. 2023 use the product; Wang et al. 2024 the minimum).</summary>
public enum ScoreAggregation
{
    /// <summary>The weakest step: a chain is as good as its worst link.</summary>
    Min,

    /// <summary>The product: the probability that every step is good, if the steps were independent.</summary>
    Product,

    /// <summary>The last line's score (for an outcome reward model, the only meaningful one).</summary>
    Last,

    /// <summary>The arithmetic mean.</summary>
    Mean,
}

/// <summary>Combines per-line scores. Pure; never throws on an empty solution.</summary>
public static class ScoreAggregator
{
    /// <summary>
    /// One score for one solution; 0 for a solution without lines (nothing to recommend it).
    /// Worked example, scores 0.9, 0.5, 0.8: min 0.5, product 0.36, last 0.8, mean 0.7333….
    /// </summary>
    public static double Aggregate(IReadOnlyList<double> scores, ScoreAggregation how)
    {
        if (scores.Count == 0)
        {
            return 0;
        }

        return how switch
        {
            ScoreAggregation.Min => scores.Min(),
            ScoreAggregation.Product => scores.Aggregate(1.0, (product, s) => product * s),
            ScoreAggregation.Last => scores[^1],
            ScoreAggregation.Mean => scores.Average(),
            _ => throw new ArgumentOutOfRangeException(nameof(how), how, "unknown score aggregation"),
        };
    }
}
