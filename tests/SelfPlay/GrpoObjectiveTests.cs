using Reasoning.SelfPlay.R1.Objective;
using Reasoning.Tests.Policy;
using static TorchSharp.torch;

namespace Reasoning.Tests.SelfPlay;

/// <summary>The GRPO objective on fixed tiny tensors, against numbers worked out by hand.</summary>
[Collection(LeakChecks.Name)]
public sealed class GrpoObjectiveTests
{
    private static Tensor Rows(params double[][] rows) =>
        tensor(rows.SelectMany(r => r.Select(v => (float)v)).ToArray(), new long[] { rows.Length, rows[0].Length });

    private static GrpoLossResult Loss(
        Tensor logProbs, Tensor oldLogProbs, Tensor referenceLogProbs, double[] advantages, Tensor mask, GrpoObjectiveOptions options) =>
        GrpoObjective.Loss(logProbs, oldLogProbs, referenceLogProbs, tensor(advantages.Select(a => (float)a).ToArray()), mask, options);

    // The worked example of GrpoObjective's documentation: two responses, of 2 and 1 tokens, advantages +1 and -1,
    // sampled by the current policy (ratio 1), no KL term: every token's loss is -A.
    [Theory]
    [InlineData(LossAggregation.SequenceMean, 0.0)]          // mean(mean(-1, -1), +1)
    [InlineData(LossAggregation.TokenMean, -1.0 / 3)]        // (-1 - 1 + 1) / 3
    [InlineData(LossAggregation.DrGrpo, -1.0 / 8)]           // (-1 - 1 + 1) / (2 responses x 4 = the maximum response length)
    public void EachAggregationGivesTheWorkedExample(LossAggregation aggregation, double expected)
    {
        using var scope = NewDisposeScope();
        Tensor logProbs = Rows([-0.5, -1.0], [-2.0, 0.0]);
        Tensor mask = Rows([1, 1], [1, 0]);
        var options = new GrpoObjectiveOptions(Beta: 0, Aggregation: aggregation, MaxResponseLength: 4);
        GrpoLossResult result = Loss(logProbs, logProbs.clone(), logProbs.clone(), [1, -1], mask, options);
        Assert.Equal(expected, result.Loss.item<float>(), 6);
        Assert.Equal(0, result.ClipFraction);
        Assert.Equal(0, result.MeanKl, 9);
    }

    [Fact]
    public void TheKlTermIsTheK3EstimatorTimesBeta()
    {
        using var scope = NewDisposeScope();
        // log pi - log ref = 0.1 on both tokens: k3 = exp(-0.1) - (-0.1) - 1 = 0.0048374180...
        Tensor logProbs = Rows([-1.0, -2.0]);
        Tensor reference = Rows([-1.1, -2.1]);
        double k3 = Math.Exp(-0.1) + 0.1 - 1;
        var options = new GrpoObjectiveOptions(Beta: 0.5, Aggregation: LossAggregation.TokenMean);
        GrpoLossResult result = Loss(logProbs, logProbs.clone(), reference, [2], Rows([1, 1]), options);
        Assert.Equal(-2 + 0.5 * k3, result.Loss.item<float>(), 5);
        Assert.Equal(k3, result.MeanKl, 6);
    }

    [Fact]
    public void KlIsZeroWhenThePolicyIsTheReference()
    {
        using var scope = NewDisposeScope();
        Tensor logProbs = Rows([-0.3, -1.7, -0.01], [-2.5, -0.2, -0.9]);
        var options = new GrpoObjectiveOptions(Beta: 1.0);
        GrpoLossResult result = Loss(logProbs, logProbs.clone(), logProbs.clone(), [0.5, -0.5], Rows([1, 1, 1], [1, 1, 0]), options);
        Assert.Equal(0, result.MeanKl);
        Assert.Equal(0, result.Loss.item<float>(), 6); // +0.5 and -0.5 over equal-length means cancel; no KL
    }

    /// <summary>d loss / d log pi of the only token, for a ratio pi/pi_old and advantage A, without the KL term.</summary>
    private static (double Gradient, double ClipFraction) OneToken(double ratio, double advantage, double clipLow, double clipHigh)
    {
        using var scope = NewDisposeScope();
        Tensor old = Rows([-1.0]);
        Tensor logProbs = (old + Math.Log(ratio)).detach().requires_grad_(true);
        var options = new GrpoObjectiveOptions(ClipLow: clipLow, ClipHigh: clipHigh, Beta: 0);
        GrpoLossResult result = Loss(logProbs, old, old.clone(), [advantage], Rows([1]), options);
        result.Loss.backward();
        return (logProbs.grad!.item<float>(), result.ClipFraction);
    }

    [Theory]
    // Inside the range the gradient is -A * ratio: the clip has not engaged.
    [InlineData(1.0, 1.0, 0.2, 0.28, -1.0, 0)]
    [InlineData(1.2799, 1.0, 0.2, 0.28, -1.2799, 0)]
    [InlineData(0.8001, -1.0, 0.2, 0.28, 0.8001, 0)]
    // Exactly on a boundary (ratio 1 = 1 + 0 = 1 - 0, with no rounding) it has not engaged either.
    [InlineData(1.0, 1.0, 0.2, 0.0, -1.0, 0)]
    [InlineData(1.0, -1.0, 0.0, 0.28, 1.0, 0)]
    // Beyond the boundary in the direction the advantage pushes, the token gives no gradient and counts as clipped.
    [InlineData(1.2801, 1.0, 0.2, 0.28, 0.0, 1)]
    [InlineData(0.7999, -1.0, 0.2, 0.28, 0.0, 1)]
    // Beyond the boundary the other way, the unclipped term is the smaller: the gradient flows (PPO's pessimism).
    [InlineData(0.5, 1.0, 0.2, 0.28, -0.5, 0)]
    [InlineData(1.5, -1.0, 0.2, 0.28, 1.5, 0)]
    public void TheClipEngagesExactlyBeyondItsAsymmetricBoundaries(double ratio, double advantage, double clipLow, double clipHigh, double gradient, double clipFraction)
    {
        (double g, double c) = OneToken(ratio, advantage, clipLow, clipHigh);
        Assert.Equal(gradient, g, 4);
        Assert.Equal(clipFraction, c);
    }

    [Theory]
    [InlineData(LossAggregation.SequenceMean)]
    [InlineData(LossAggregation.TokenMean)]
    [InlineData(LossAggregation.DrGrpo)]
    public void GroupsWhoseRewardsAreAllEqualGiveZeroGradient(LossAggregation aggregation)
    {
        using var scope = NewDisposeScope();
        // Group 0 (rows 0-1) rewards 1, 1; group 1 (rows 2-3) rewards 0, 1. The policy is not the reference and not the
        // sampling policy, so only dropping the all-equal group silences its KL and ratio terms.
        double[] rewards = [1, 1, 0, 1];
        GroupAdvantage[] advantages = GrpoObjective.Advantages(rewards, groupSize: 2, aggregation);
        Assert.False(advantages[0].Counts || advantages[1].Counts);
        Assert.True(advantages[2].Counts && advantages[3].Counts);

        Tensor logProbs = Rows([-0.4, -0.9], [-1.2, -0.3], [-0.7, -0.6], [-0.2, -1.1]).requires_grad_(true);
        Tensor old = logProbs.detach() - 0.05;
        Tensor reference = logProbs.detach() + 0.3;
        Tensor mask = Rows([1, 1], [1, 0], [1, 1], [1, 1]);
        var options = new GrpoObjectiveOptions(Beta: 0.1, Aggregation: aggregation, MaxResponseLength: 2);
        GrpoLossResult result = GrpoObjective.Loss(logProbs, old, reference, advantages, mask, options);
        result.Loss.backward();
        float[] gradient = logProbs.grad!.data<float>().ToArray();
        Assert.All(gradient.Take(4), g => Assert.Equal(0f, g));
        Assert.Contains(gradient.Skip(4), g => g != 0f);
        Assert.Equal(2, result.ContributingResponses);
    }

    /// <summary>
    /// A mixed batch of two groups of three (ratio 1, β = 0.5, maximum response length 4). Group A: rewards 1, 0, 0 and
    /// 1, 2, 2 response tokens; mean 1/3, sample standard deviation sqrt((4/9 + 1/9 + 1/9)/2) = sqrt(1/3), so advantages
    /// (2/3)/(sqrt(1/3) + 1e-4) = 1.15450057 and (−1/3)/(sqrt(1/3) + 1e-4) = −0.57725029 twice (Dr. GRPO: 2/3, −1/3, −1/3).
    /// Group B: rewards 1, 1, 1, all equal: it does not count. log π − log π_ref is 0.1 on A's tokens, 0.3 on B's and 2 on
    /// padding, so any of B's or padding's KL leaking in would show. A's KL per token: k3 = e^−0.1 + 0.1 − 1 = 0.00483742,
    /// times β: 0.00241871 on each of A's 5 tokens.
    /// sequence_mean: each A row's mean is −A_i + 0.00241871; the advantages sum to 0, so (3 × 0.00241871)/3 = 0.00241871
    /// (counting B's rows too would give (3 × 0.00241871 + 3 × 0.02040911)/6 = 0.01141391).
    /// token_mean: (−1.15450057·1 + 0.57725029·2 + 0.57725029·2 + 5 × 0.00241871)/5 = 0.23331882.
    /// dr_grpo: (−2/3·1 + 1/3·2 + 1/3·2 + 5 × 0.00241871)/(3 responses × 4) = 0.05656335.
    /// </summary>
    [Theory]
    [InlineData(LossAggregation.SequenceMean, 0.00241871)]
    [InlineData(LossAggregation.TokenMean, 0.23331882)]
    [InlineData(LossAggregation.DrGrpo, 0.05656335)]
    public void AMixedBatchWithAnAllEqualGroupGivesTheWorkedLossForEachAggregation(LossAggregation aggregation, double expected)
    {
        using var scope = NewDisposeScope();
        GroupAdvantage[] advantages = GrpoObjective.Advantages([1, 0, 0, 1, 1, 1], groupSize: 3, aggregation);
        double[] expectedAdvantages = aggregation == LossAggregation.DrGrpo ? [0.66666667, -0.33333333, -0.33333333] : [1.15450057, -0.57725029, -0.57725029];
        Assert.Equal(expectedAdvantages, advantages.Take(3).Select(a => Math.Round(a.Value, 8)));
        Assert.Equal([true, true, true, false, false, false], advantages.Select(a => a.Counts));

        Tensor logProbs = Rows([-0.5, -0.7], [-1.0, -0.2], [-0.3, -0.9], [-0.6, -0.4], [-0.8, -1.1], [-0.2, -0.5]);
        Tensor mask = Rows([1, 0], [1, 1], [1, 1], [1, 1], [1, 0], [1, 1]);
        // Reference: 0.1 below on A's response tokens, 0.3 below on B's, 2 below on padding.
        Tensor gap = Rows([0.1, 2], [0.1, 0.1], [0.1, 0.1], [0.3, 0.3], [0.3, 2], [0.3, 0.3]);
        var options = new GrpoObjectiveOptions(Beta: 0.5, Aggregation: aggregation, MaxResponseLength: 4);
        GrpoLossResult result = GrpoObjective.Loss(logProbs, logProbs.clone(), logProbs - gap, advantages, mask, options);

        Assert.Equal(expected, result.Loss.item<float>(), 5);
        Assert.Equal(3, result.ContributingResponses);
        Assert.Equal(Math.Exp(-0.1) + 0.1 - 1, result.MeanKl, 6); // A's response tokens only: not B's, not padding
    }

    [Fact]
    public void AdvantagesAreNormalisedWithinEachGroupNotOverTheBatch()
    {
        // Groups [1, 0] and [10, 0]: each has a sample standard deviation of its own (0.7071 and 7.071), so both give
        // ±0.5/0.7071 = ±0.7071 and ±5/7.071 = ±0.7071 (to ε). Over the batch (mean 2.75) they would not.
        GroupAdvantage[] advantages = GrpoObjective.Advantages([1, 0, 10, 0], groupSize: 2, LossAggregation.SequenceMean, epsilon: 0);
        Assert.Equal([0.70710678, -0.70710678, 0.70710678, -0.70710678], advantages.Select(a => Math.Round(a.Value, 8)));
        // Dr. GRPO centres per group: 1 − 0.5 and 10 − 5.
        Assert.Equal([0.5, -0.5, 5, -5], GrpoObjective.Advantages([1, 0, 10, 0], groupSize: 2, LossAggregation.DrGrpo).Select(a => a.Value));
    }

    [Fact]
    public void AdvantagesAreGroupNormalisedAndDrGrpoDoesNotDivideByTheStandardDeviation()
    {
        // One group of four: mean 0.5, sample standard deviation sqrt(1/3) = 0.57735.
        double[] rewards = [1, 0, 0, 1];
        GroupAdvantage[] grpo = GrpoObjective.Advantages(rewards, groupSize: 4, LossAggregation.SequenceMean, epsilon: 1e-4);
        Assert.Equal(0.5 / (Math.Sqrt(1.0 / 3) + 1e-4), grpo[0].Value, 9);
        Assert.Equal(-0.5 / (Math.Sqrt(1.0 / 3) + 1e-4), grpo[1].Value, 9);
        GroupAdvantage[] dr = GrpoObjective.Advantages(rewards, groupSize: 4, LossAggregation.DrGrpo);
        Assert.Equal([0.5, -0.5, -0.5, 0.5], dr.Select(a => a.Value));
        Assert.All(dr, a => Assert.True(a.Counts));
    }

    [Fact]
    public void BadShapesAndOptionsAreRefusedClearly()
    {
        var error = Assert.Throws<ArgumentException>(() => GrpoObjective.Advantages([1, 0, 1], groupSize: 2, LossAggregation.TokenMean));
        Assert.Contains("3 rewards", error.Message);
        Assert.Contains("clip_high", Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoObjectiveOptions(ClipHigh: -0.1).Validate()).Message);
        Assert.Contains("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoObjectiveOptions(Beta: -1).Validate()).Message);
        Assert.Contains("max_response_length", Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoObjectiveOptions(Aggregation: LossAggregation.DrGrpo, MaxResponseLength: 0).Validate()).Message);
    }

    [Theory]
    // Each option at the edges of its range: the message names the YAML key, the value and what is allowed.
    [InlineData(-0.01, 0.2, 0.04, 64, "clip_low", "in [0, 1)")]
    [InlineData(1.0, 0.2, 0.04, 64, "clip_low", "in [0, 1)")]
    [InlineData(0.2, double.PositiveInfinity, 0.04, 64, "clip_high", "0 or more")]
    [InlineData(0.2, 0.2, double.NaN, 64, "beta", "0 or more")]
    [InlineData(0.2, 0.2, 0.04, 0, "max_response_length", "at least 1")]
    public void AnOptionOutsideItsRangeNamesItsKeyAndTheRange(double clipLow, double clipHigh, double beta, int maxLength, string key, string allowed)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoObjectiveOptions(clipLow, clipHigh, beta, MaxResponseLength: maxLength).Validate());
        Assert.StartsWith(key, error.ParamName);
        Assert.Contains(allowed, error.Message);
    }

    [Fact]
    public void TheEdgesOfEachRangeAreAllowed()
    {
        new GrpoObjectiveOptions(ClipLow: 0, ClipHigh: 0, Beta: 0, MaxResponseLength: 1).Validate();
        new GrpoObjectiveOptions(ClipLow: 0.999, ClipHigh: 10, Beta: 5).Validate();
    }

    [Fact]
    public void AGroupOfOneHasNoSpreadAndDoesNotCount()
    {
        // One response per group: nothing to compare it with, so its advantage is 0 and it does not count.
        GroupAdvantage[] advantages = GrpoObjective.Advantages([1, 0], groupSize: 1, LossAggregation.SequenceMean);
        Assert.Equal([new GroupAdvantage(0, false), new GroupAdvantage(0, false)], advantages);
    }

    [Theory]
    [InlineData(new long[] { 2, 3 }, new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 2, 2 })] // old log-probabilities
    [InlineData(new long[] { 2, 2 }, new long[] { 2, 3 }, new long[] { 2, 2 }, new long[] { 2, 2 })] // reference
    [InlineData(new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 3, 2 }, new long[] { 2, 2 })] // mask
    [InlineData(new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 3 })]    // advantages
    public void EachMismatchedShapeIsRefused(long[] old, long[] reference, long[] mask, long[] advantages)
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => GrpoObjective.Loss(
            zeros(2, 2), zeros(old), zeros(reference), zeros(advantages), ones(mask), new GrpoObjectiveOptions()));
        Assert.Contains("expected four [B, T] and one [B]", error.Message);
        Assert.Contains($"log-probabilities [2, 2], old [{string.Join(", ", old)}], reference [{string.Join(", ", reference)}], mask [{string.Join(", ", mask)}], advantages [{string.Join(", ", advantages)}]", error.Message);
    }

    [Fact]
    public void AnUnknownAggregationAGroupSizeBelowOneAndBadOptionsInTheLossAreRefused()
    {
        Assert.Contains("loss_aggregation", Assert.Throws<ArgumentOutOfRangeException>(() => new GrpoObjectiveOptions(Aggregation: (LossAggregation)7).Validate()).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GrpoObjective.Advantages([1, 0], groupSize: 0, LossAggregation.SequenceMean));
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss(Rows([-1.0]), Rows([-1.0]), Rows([-1.0]), [1], Rows([1]), new GrpoObjectiveOptions(Beta: -1)));
    }

    [Fact]
    public void AnAllEqualGroupHasAdvantageZeroEvenWithoutEpsilon()
    {
        // (r − mean)/(std + ε) would be 0/0 for an all-equal group with ε = 0: it must be 0, not NaN.
        Assert.Equal([0.0, 0.0], GrpoObjective.Advantages([1, 1], groupSize: 2, LossAggregation.SequenceMean, epsilon: 0).Select(a => a.Value));
    }

    [Fact]
    public void WithoutAKlPenaltyAFarReferenceCannotMakeTheLossNaN()
    {
        // log π_ref − log π = 100: the k3 term exp(100) overflows float32; with β = 0 it must not be computed at all.
        using var scope = NewDisposeScope();
        Tensor logProbs = Rows([-1.0]);
        GrpoLossResult result = Loss(logProbs, logProbs.clone(), logProbs + 100, [1], Rows([1]), new GrpoObjectiveOptions(Beta: 0));
        Assert.Equal(-1f, result.Loss.item<float>());
    }

    [Fact]
    public void TheClipFractionIsTheShareOfClippedResponseTokens()
    {
        using var scope = NewDisposeScope();
        // Two response tokens and one padding position: the first token's ratio is 1.5 (clipped, A > 0), the second's 1.
        Tensor old = Rows([-1.0, -1.0, -1.0]);
        Tensor logProbs = Rows([-1.0 + Math.Log(1.5), -1.0, -1.0 + Math.Log(1.5)]);
        GrpoLossResult result = Loss(logProbs, old, old.clone(), [1], Rows([1, 1, 0]), new GrpoObjectiveOptions(Beta: 0));
        Assert.Equal(0.5, result.ClipFraction, 6);
    }

    [Fact]
    public void ABatchThatTeachesNothingHasALossOfZeroAndNoKl()
    {
        using var scope = NewDisposeScope();
        Tensor logProbs = Rows([-1.0, -2.0]).requires_grad_(true);
        GrpoLossResult result = GrpoObjective.Loss(logProbs, logProbs.detach(), logProbs.detach() - 0.5, [new GroupAdvantage(0, false)], Rows([1, 1]), new GrpoObjectiveOptions(Beta: 1));
        Assert.Equal((0f, 0, 0.0, 0.0), (result.Loss.item<float>(), result.ContributingResponses, result.MeanKl, result.ClipFraction));
        result.Loss.backward();
        Assert.All(logProbs.grad!.data<float>().ToArray(), g => Assert.Equal(0f, g));
    }
}
