using Reasoning.Core.Problems;

namespace Reasoning.Policy.Generation;

/// <summary>
/// Picks the next token from one row of log-probabilities: greedy, or sampled after top-p
/// truncation by inverse-CDF with a uniform draw from the row's own random stream. Runs on the
/// host over a small vocabulary, so every row is repeatable on its own.
/// </summary>
internal static class TokenChooser
{
    /// <param name="logProbabilities">log softmax(logits / temperature) of one row.</param>
    /// <returns>The token and its log-probability (before truncation).</returns>
    public static (int Token, float LogProbability) Choose(ReadOnlySpan<float> logProbabilities, double temperature, double topP, DeterministicRandom random)
    {
        int best = 0;
        for (int i = 1; i < logProbabilities.Length; i++)
        {
            if (logProbabilities[i] > logProbabilities[best])
            {
                best = i;
            }
        }

        if (temperature == 0)
        {
            return (best, logProbabilities[best]);
        }

        Span<int> order = logProbabilities.Length <= 1024 ? stackalloc int[logProbabilities.Length] : new int[logProbabilities.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var probabilities = new double[logProbabilities.Length];
        for (int i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = Math.Exp(logProbabilities[i]);
        }

        // Most likely first; ties by id, so the order (and the sample) is deterministic.
        int count = order.Length;
        if (topP < 1)
        {
            double[] p = probabilities;
            order.Sort((a, b) => p[b] != p[a] ? p[b].CompareTo(p[a]) : a.CompareTo(b));
            double cumulative = 0;
            for (int i = 0; i < order.Length; i++)
            {
                cumulative += p[order[i]];
                if (cumulative >= topP)
                {
                    count = i + 1;
                    break;
                }
            }
        }

        double total = 0;
        for (int i = 0; i < count; i++)
        {
            total += probabilities[order[i]];
        }

        double u = random.NextDouble() * total;
        for (int i = 0; i < count; i++)
        {
            u -= probabilities[order[i]];
            if (u < 0)
            {
                return (order[i], logProbabilities[order[i]]);
            }
        }

        int last = order[count - 1]; // rounding: u ended a hair above the total
        return (last, logProbabilities[last]);
    }
}
