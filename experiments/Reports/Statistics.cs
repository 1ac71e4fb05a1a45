namespace Reasoning.Experiments.Reports;

/// <summary>A proportion's confidence interval, as fractions in [0, 1].</summary>
internal readonly record struct Interval(double Low, double High);

/// <summary>The few statistics the reports use.</summary>
internal static class Statistics
{
    /// <summary>The standard normal quantile for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// The Wilson score interval for <paramref name="successes"/> out of <paramref name="trials"/>
    /// (Wilson 1927; Brown, Cai and DasGupta 2001 recommend it over the normal approximation for small n):
    /// centre (p + z²/2n) / (1 + z²/n), half-width z / (1 + z²/n) · √(p(1−p)/n + z²/4n²).
    /// Worked example: 45 of 50 gives [0.7864, 0.9565]; 0 of 10 gives [0, 0.2775]; 10 of 10 gives [0.7225, 1].
    /// </summary>
    public static Interval Wilson(long successes, long trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        double n = trials;
        double p = successes / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double halfWidth = z / denominator * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // At p = 0 and p = 1 the bound is exactly 0 or 1 (centre and half-width coincide); rounding would miss it by an ulp.
        double low = successes == 0 ? 0 : Math.Max(0, centre - halfWidth);
        double high = successes == trials ? 1 : Math.Min(1, centre + halfWidth);
        return new Interval(low, high);
    }

    /// <summary>
    /// McNemar's exact test (McNemar 1947; the exact binomial form, as Fagerland, Lydersen and Laake 2013 recommend
    /// for small counts) of two strategies answering the same questions: of the discordant questions, one right and
    /// the other wrong, <paramref name="onlyFirstRight"/> went to the first and <paramref name="onlySecondRight"/> to
    /// the second. Under the null hypothesis that both are equally accurate each discordant question is a fair coin,
    /// so the two-sided p-value is min(1, 2 · P(X ≤ min(b, c))) for X ~ Binomial(b + c, 1/2); questions both got
    /// right or both wrong say nothing. Worked examples: b = 0, c = 5 gives 2/32 = 0.0625; b = 1, c = 9 gives
    /// 22/1024 = 0.0215; b = c gives 1. Past 1,000 discordant questions the sum is taken in log space, so it
    /// neither overflows nor loses the tail.
    /// </summary>
    public static double McNemarExact(int onlyFirstRight, int onlySecondRight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyFirstRight);
        ArgumentOutOfRangeException.ThrowIfNegative(onlySecondRight);
        int n = onlyFirstRight + onlySecondRight;
        int k = Math.Min(onlyFirstRight, onlySecondRight);
        if (n == 0 || 2 * k >= n)
        {
            return 1.0;
        }

        if (n <= 1000)
        {
            // C(n, i) / 2^n term by term from 2^-n, which a double holds exactly up to n = 1074.
            double term = Math.ScaleB(1.0, -n), tail = term;
            for (int i = 1; i <= k; i++)
            {
                term *= (double)(n - i + 1) / i;
                tail += term;
            }

            return Math.Min(1.0, 2 * tail);
        }

        // log C(n, i) − n log 2 for i = 0 … k, combined by log-sum-exp around the largest (the last) term.
        var logTerms = new double[k + 1];
        double logChoose = 0;
        for (int i = 0; i <= k; i++)
        {
            if (i > 0)
            {
                logChoose += Math.Log(n - i + 1) - Math.Log(i);
            }

            logTerms[i] = logChoose - n * Math.Log(2);
        }

        double largest = logTerms[k];
        double sum = logTerms.Sum(t => Math.Exp(t - largest));
        return Math.Min(1.0, 2 * Math.Exp(largest + Math.Log(sum)));
    }

    /// <summary>The arithmetic mean; null for no values.</summary>
    public static double? Mean(IReadOnlyList<double> values) => values.Count == 0 ? null : values.Sum() / values.Count;

    /// <summary>The sample standard deviation (divisor n − 1); null for fewer than two values.</summary>
    public static double? SampleStandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return null;
        }

        double mean = values.Sum() / values.Count;
        double squares = values.Sum(v => (v - mean) * (v - mean));
        return Math.Sqrt(squares / (values.Count - 1));
    }

    /// <summary>
    /// Pearson's r between two equally long series; null when there are fewer than two pairs or either
    /// series is constant. With one series 0/1 it is the point-biserial correlation.
    /// Worked example: x = [0.9, 0.8, 0.3, 0.2], y = [1, 1, 0, 1] gives r = 0.25 / √(0.37 · 0.75) = 0.4746 (4 d.p.).
    /// </summary>
    public static double? PearsonCorrelation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(x.Count, y.Count);
        if (x.Count < 2)
        {
            return null;
        }

        double meanX = x.Average(), meanY = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - meanX, dy = y[i] - meanY;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return sxx == 0 || syy == 0 ? null : sxy / Math.Sqrt(sxx * syy);
    }
}
