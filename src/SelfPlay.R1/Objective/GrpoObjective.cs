using static TorchSharp.torch;

namespace Reasoning.SelfPlay.R1.Objective;

/// <summary>How the per-token losses of a batch of responses become one number.</summary>
public enum LossAggregation
{
    /// <summary>Original GRPO (Shao et al. 2024, DeepSeekMath): the mean over each response's tokens, then over the responses.</summary>
    SequenceMean,

    /// <summary>The mean over every token of the batch (DAPO, Yu et al. 2025): a long response weighs by its length.</summary>
    TokenMean,

    /// <summary>
    /// Dr. GRPO (Liu et al. 2025, "Understanding R1-Zero-Like Training"): the sum over the batch's tokens divided by a
    /// constant, responses × <see cref="GrpoObjectiveOptions.MaxResponseLength"/>, so no response is divided by its own
    /// length; and advantages are not divided by the group's standard deviation.
    /// </summary>
    DrGrpo,
}

/// <summary>Settings of the GRPO objective. The error messages name the YAML keys of the <c>r1-grpo</c> strategy.</summary>
/// <param name="ClipLow">ε_low: the ratio is clipped below at 1 − ε_low.</param>
/// <param name="ClipHigh">ε_high: the ratio is clipped above at 1 + ε_high (DAPO's "clip-higher" when larger than ε_low).</param>
/// <param name="Beta">β, the weight of the KL penalty to the reference policy (0: no penalty).</param>
/// <param name="Aggregation">How per-token losses are reduced.</param>
/// <param name="MaxResponseLength">The constant of <see cref="LossAggregation.DrGrpo"/>: the longest response the sampler allows.</param>
public sealed record GrpoObjectiveOptions(
    double ClipLow = 0.2,
    double ClipHigh = 0.2,
    double Beta = 0.04,
    LossAggregation Aggregation = LossAggregation.SequenceMean,
    int MaxResponseLength = 64)
{
    public GrpoObjectiveOptions Validate()
    {
        GrpoOption.Require(ClipLow >= 0 && ClipLow < 1, "clip_low", ClipLow, "in [0, 1)");
        GrpoOption.Require(ClipHigh >= 0 && double.IsFinite(ClipHigh), "clip_high", ClipHigh, "0 or more");
        GrpoOption.Require(Beta >= 0 && double.IsFinite(Beta), "beta", Beta, "0 or more");
        GrpoOption.Require(Enum.IsDefined(Aggregation), "loss_aggregation", Aggregation, "sequence_mean, token_mean or dr_grpo");
        GrpoOption.Require(MaxResponseLength >= 1, "max_response_length", MaxResponseLength, "at least 1");
        return this;
    }
}

/// <summary>A response's advantage, and whether it takes part in the loss (false for a group whose rewards are all equal).</summary>
public readonly record struct GroupAdvantage(double Value, bool Counts);

/// <summary>The loss of one batch and what it measured.</summary>
/// <param name="Loss">A scalar tensor to call backward on.</param>
/// <param name="MeanKl">The k3 estimate of KL(π ‖ π_ref), averaged over the contributing tokens.</param>
/// <param name="ClipFraction">Share of the contributing tokens whose ratio was clipped (no gradient flows through them).</param>
/// <param name="ContributingResponses">Responses that take part; 0 means the batch teaches nothing.</param>
public sealed record GrpoLossResult(Tensor Loss, double MeanKl, double ClipFraction, int ContributingResponses);

/// <summary>
/// The GRPO objective (Shao et al. 2024; DeepSeek-R1, 2025), to be minimised, for a batch of sampled responses:
/// per token t of response i, with ratio ρ = π_θ / π_old (the policy that sampled it) and advantage A_i,
/// <code>
/// ℓ = −min(ρ·A, clip(ρ, 1 − ε_low, 1 + ε_high)·A) + β·(exp(r − l) − (r − l) − 1)
/// </code>
/// where l = log π_θ and r = log π_ref (the k3 estimator of KL, Schulman 2020), reduced over tokens as
/// <see cref="LossAggregation"/> says. Responses of a group whose rewards are all equal contribute nothing — no ratio,
/// no KL, and no tokens in any denominator — as if they had not been sampled.
/// <para>
/// Worked example (β = 0, ρ = 1, maximum response length 4): two responses of 2 and 1 tokens, A = +1 and −1, so every
/// token's loss is −A: <c>sequence_mean</c> = mean(mean(−1, −1), +1) = 0; <c>token_mean</c> = (−1 − 1 + 1)/3 = −1/3;
/// <c>dr_grpo</c> = (−1 − 1 + 1)/(2 × 4) = −1/8. With l − r = 0.1 on a token, its KL term is β·(e^−0.1 + 0.1 − 1) = β·0.0048374.
/// </para>
/// </summary>
public static class GrpoObjective
{
    /// <summary>The ε of (r − mean)/(std + ε), as TRL uses.</summary>
    public const double DefaultEpsilon = 1e-4;

    /// <summary>
    /// Group-normalised advantages: rewards come in consecutive groups of <paramref name="groupSize"/>; each becomes
    /// (r − mean)/(std + ε) with the group's sample standard deviation (n − 1, as <c>torch.std</c>), or r − mean for
    /// <see cref="LossAggregation.DrGrpo"/>. A group whose rewards are all equal does not count.
    /// </summary>
    public static GroupAdvantage[] Advantages(IReadOnlyList<double> rewards, int groupSize, LossAggregation aggregation, double epsilon = DefaultEpsilon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 1);
        if (rewards.Count % groupSize != 0)
        {
            throw new ArgumentException($"{rewards.Count} rewards do not split into groups of {groupSize}", nameof(rewards));
        }

        var advantages = new GroupAdvantage[rewards.Count];
        for (int start = 0; start < rewards.Count; start += groupSize)
        {
            double mean = 0;
            for (int i = start; i < start + groupSize; i++)
            {
                mean += rewards[i];
            }

            mean /= groupSize;
            double squares = 0;
            bool allEqual = true;
            for (int i = start; i < start + groupSize; i++)
            {
                squares += (rewards[i] - mean) * (rewards[i] - mean);
                allEqual &= rewards[i] == rewards[start];
            }

            double std = groupSize > 1 ? Math.Sqrt(squares / (groupSize - 1)) : 0;
            for (int i = start; i < start + groupSize; i++)
            {
                double centred = rewards[i] - mean;
                advantages[i] = new GroupAdvantage(allEqual ? 0 : aggregation == LossAggregation.DrGrpo ? centred : centred / (std + epsilon), !allEqual);
            }
        }

        return advantages;
    }

    /// <summary>The loss with group advantages: responses that do not count are masked out entirely.</summary>
    /// <param name="logProbs">[B, T] log π_θ of each response token (with gradient).</param>
    /// <param name="oldLogProbs">[B, T] log π_old, recorded when the responses were sampled.</param>
    /// <param name="referenceLogProbs">[B, T] log π_ref.</param>
    /// <param name="advantages">One per response.</param>
    /// <param name="mask">[B, T] 1 for response tokens, 0 for padding.</param>
    /// <param name="options">Clip range, β, aggregation.</param>
    public static GrpoLossResult Loss(Tensor logProbs, Tensor oldLogProbs, Tensor referenceLogProbs, IReadOnlyList<GroupAdvantage> advantages, Tensor mask, GrpoObjectiveOptions options)
    {
        Tensor values = tensor(advantages.Select(a => (float)a.Value).ToArray(), device: logProbs.device);      // [B]
        Tensor counts = tensor(advantages.Select(a => a.Counts ? 1f : 0f).ToArray(), device: logProbs.device);  // [B]
        return Loss(logProbs, oldLogProbs, referenceLogProbs, values, mask * counts.unsqueeze(1), options);
    }

    /// <summary>The loss with every response counting (a row whose mask is all zero does not).</summary>
    /// <param name="advantages">[B] one per response.</param>
    /// <inheritdoc cref="Loss(Tensor, Tensor, Tensor, IReadOnlyList{GroupAdvantage}, Tensor, GrpoObjectiveOptions)"/>
    public static GrpoLossResult Loss(Tensor logProbs, Tensor oldLogProbs, Tensor referenceLogProbs, Tensor advantages, Tensor mask, GrpoObjectiveOptions options)
    {
        options.Validate();
        long b = logProbs.shape[0];
        if (logProbs.dim() != 2 || !Same(oldLogProbs, logProbs) || !Same(referenceLogProbs, logProbs) || !Same(mask, logProbs)
            || advantages.dim() != 1 || advantages.shape[0] != b)
        {
            throw new ArgumentException(
                $"GRPO loss shapes: log-probabilities [{string.Join(", ", logProbs.shape)}], old [{string.Join(", ", oldLogProbs.shape)}], " +
                $"reference [{string.Join(", ", referenceLogProbs.shape)}], mask [{string.Join(", ", mask.shape)}], advantages [{string.Join(", ", advantages.shape)}]; " +
                "expected four [B, T] and one [B]");
        }

        Tensor m = mask.to(float32);                                                                     // [B, T]
        Tensor l = logProbs.to(float32);                                                                 // [B, T]
        Tensor a = advantages.to(float32).unsqueeze(1);                                                  // [B, 1]
        Tensor ratio = (l - oldLogProbs.to(float32)).exp();                                              // [B, T]
        Tensor unclipped = ratio * a;                                                                    // [B, T]
        Tensor clipped = ratio.clamp(1 - options.ClipLow, 1 + options.ClipHigh) * a;                     // [B, T]
        Tensor surrogate = minimum(unclipped, clipped);                                                  // [B, T]
        Tensor toReference = referenceLogProbs.to(float32) - l;                                          // [B, T]
        Tensor kl = toReference.exp() - toReference - 1;                                                 // [B, T] k3, ≥ 0
        Tensor perToken = (options.Beta == 0 ? -surrogate : -surrogate + options.Beta * kl) * m;        // [B, T]

        Tensor tokensPerRow = m.sum(1);                                                                  // [B]
        Tensor rows = tokensPerRow.gt(0);                                                                // [B]
        int contributing = (int)rows.sum().item<long>();
        double tokens = tokensPerRow.sum().item<float>();
        Tensor loss = contributing == 0
            ? (l * 0).sum()                                                                              // nothing to learn, but a graph to call backward on
            : options.Aggregation switch
            {
                LossAggregation.SequenceMean => (perToken.sum(1) / tokensPerRow.clamp_min(1)).sum() / contributing,
                LossAggregation.TokenMean => perToken.sum() / tokens,
                _ => perToken.sum() / ((double)contributing * options.MaxResponseLength),
            };

        double meanKl, clipFraction;
        using (no_grad())
        {
            meanKl = tokens == 0 ? 0 : (kl * m).sum().item<float>() / tokens;
            Tensor clippedTokens = ratio.gt(1 + options.ClipHigh).logical_and(a.gt(0))
                .logical_or(ratio.lt(1 - options.ClipLow).logical_and(a.lt(0)));                          // [B, T]
            clipFraction = tokens == 0 ? 0 : (clippedTokens.to(float32) * m).sum().item<float>() / tokens;
        }

        return new GrpoLossResult(loss, meanKl, clipFraction, contributing);

        static bool Same(Tensor x, Tensor y) => x.shape.SequenceEqual(y.shape);
    }
}
