namespace Reasoning.Search.Mcts;

/// <summary>
/// Expansion: a leaf's sampled next steps become its children.
/// <para>
/// Duplicate steps (same text after trimming, same <see cref="StepCandidate.Finished"/>) merge into one
/// child. Priors are a softmax over the distinct children's log-probabilities, a merged child taking the
/// log-sum-exp of its copies' log-probabilities. So the prior renormalises the policy's probabilities over
/// the sampled support, and a step sampled k times weighs k·π(step): both how likely the policy finds it
/// and how often the sampler drew it. (Sampled MuZero, Hubert et al. 2021, would use the sample
/// frequency k/K alone as the prior of on-policy samples; the log-probabilities are kept here because
/// with a few samples per expansion they separate steps the frequencies cannot.)
/// </para>
/// </summary>
internal static class Expansion
{
    /// <summary>One distinct sampled step.</summary>
    internal readonly record struct MergedCandidate(string Text, double LogProbability, bool Finished, int Copies);

    /// <summary>Distinct candidates in first-sampled order; a merged one takes the log-sum-exp of its copies.</summary>
    public static IReadOnlyList<MergedCandidate> Merge(IReadOnlyList<StepCandidate> candidates)
    {
        var order = new List<(string Text, bool Finished)>();
        var logProbabilities = new Dictionary<(string Text, bool Finished), List<double>>();
        foreach (StepCandidate candidate in candidates)
        {
            var key = ((candidate.Text ?? "").Trim(), candidate.Finished);
            if (!logProbabilities.TryGetValue(key, out List<double>? copies))
            {
                logProbabilities[key] = copies = [];
                order.Add(key);
            }

            copies.Add(candidate.LogProbability);
        }

        return order
            .Select(key => new MergedCandidate(key.Text, LogSumExp(logProbabilities[key]), key.Finished, logProbabilities[key].Count))
            .ToList();
    }

    /// <summary>
    /// softmax(logits), computed as exp(x − max) / Σ exp(x − max) so that ±1e4 neither overflows nor
    /// underflows to 0/0. NaN logits count as −∞; if every logit is −∞ the priors are uniform; if some are
    /// +∞ they share the mass equally.
    /// </summary>
    public static double[] Softmax(IReadOnlyList<double> logits)
    {
        int n = logits.Count;
        var result = new double[n];
        if (n == 0)
        {
            return result;
        }

        double max = double.NegativeInfinity;
        foreach (double x in logits)
        {
            if (!double.IsNaN(x))
            {
                max = Math.Max(max, x);
            }
        }

        for (int i = 0; i < n; i++)
        {
            double x = logits[i];
            result[i] = double.IsNegativeInfinity(max) ? 1
                : double.IsPositiveInfinity(max) ? (double.IsPositiveInfinity(x) ? 1 : 0)
                : double.IsNaN(x) ? 0
                : Math.Exp(x - max);
        }

        double sum = result.Sum();
        for (int i = 0; i < n; i++)
        {
            result[i] /= sum;
        }

        return result;
    }

    /// <summary>log Σ exp(x), stable (max + log Σ exp(x − max)); NaN counts as −∞.</summary>
    public static double LogSumExp(IReadOnlyList<double> values)
    {
        double max = values.Where(x => !double.IsNaN(x)).DefaultIfEmpty(double.NegativeInfinity).Max();
        if (double.IsInfinity(max))
        {
            return max;
        }

        double sum = values.Where(x => !double.IsNaN(x)).Sum(x => Math.Exp(x - max));
        return max + Math.Log(sum);
    }

    /// <summary>
    /// Gives <paramref name="leaf"/> one child per distinct candidate, asking <paramref name="isAnswerStep"/> once per
    /// child whether it ends the solution. Returns the children that need the reward model: cut-off steps are dead ends
    /// and keep score 0 without asking it. A leaf with no candidates at all becomes a terminal dead end.
    /// </summary>
    public static IReadOnlyList<int> Expand(SearchTree tree, int leaf, IReadOnlyList<StepCandidate> candidates, int maxDepth, IsAnswerStep isAnswerStep)
    {
        IReadOnlyList<MergedCandidate> merged = Merge(candidates);
        if (merged.Count == 0)
        {
            tree.MarkTerminal(leaf);
            return [];
        }

        double[] priors = Softmax(merged.Select(c => c.LogProbability).ToList());
        int depth = tree.Depth[leaf] + 1;
        int first = tree.AddChildren(leaf, merged
            .Select((c, i) =>
            {
                bool answer = Termination.EndsAtAnswer(c.Text, c.Finished, isAnswerStep);
                return (c.Text, priors[i], Termination.IsTerminal(answer, c.Finished, depth, maxDepth), c.Copies, !c.Finished, answer);
            })
            .ToList());
        return Enumerable.Range(0, merged.Count).Where(i => merged[i].Finished).Select(i => first + i).ToList();
    }
}
