using Reasoning.Core.Problems;
using Reasoning.Policy.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy;

/// <summary>
/// The sampler's greedy choice is taken on the device (two numbers per row reach the host); it must be the token and
/// log-probability TokenChooser's host scan picks: the first maximal id, and 0 for a row with a NaN.
/// </summary>
public sealed class GreedyChoiceTests
{
    [Fact]
    public void Greedy_TakesTheFirstMaximalId_AndItsLogProbability_WorkedByHand()
    {
        using var scope = NewDisposeScope();
        // Row 0: ids 1 and 2 tie at 3. log p(1) = 3 - ln(e^1 + 2e^3 + e^0) = 3 - ln(43.889356) = 3 - 3.781673 = -0.781673.
        // Row 1: a NaN makes the whole row NaN after the softmax: id 0, as the host scan (no comparison with NaN is true).
        // Row 2: all equal: id 0, log(1/4) = -1.386294.
        Tensor logits = tensor(new float[] { 1, 3, 3, 0, float.NaN, 1, 2, 0, 0, 0, 0, 0 }, new long[] { 3, 4 });

        var choices = BatchedSampler.Choose(logits, 0, 1, Randoms(3));

        Assert.Equal(1, choices[0].Token);
        Assert.Equal(-0.781673, choices[0].LogProbability, 5);
        Assert.Equal(0, choices[1].Token);
        Assert.True(float.IsNaN(choices[1].LogProbability));
        Assert.Equal(0, choices[2].Token);
        Assert.Equal(-1.386294, choices[2].LogProbability, 5);
    }

    // Qwen's vocabulary, where the reduction is vectorised and split: ties far apart, at the ends, and in bf16 logits.
    [Theory]
    [InlineData(100_000, 7)]
    [InlineData(151_935, 151_934)]
    [InlineData(65_536, 65_537)]
    public void Greedy_OnALargeVocabulary_AgreesWithTheHostScan(int first, int second)
    {
        using var scope = NewDisposeScope();
        const int vocabulary = 151_936;
        var generator = new Generator(7);
        Tensor logits = randn(new long[] { 4, vocabulary }, generator: generator);
        logits[.., first] = 50f;
        logits[.., second] = 50f;
        Tensor rounded = logits.to(ScalarType.BFloat16);

        foreach (Tensor row in new[] { logits, rounded })
        {
            var greedy = BatchedSampler.Choose(row, 0, 1, Randoms(4));
            float[] host = nn.functional.log_softmax(row.to(ScalarType.Float32), -1).data<float>().ToArray();
            for (int r = 0; r < 4; r++)
            {
                var expected = TokenChooser.Choose(host.AsSpan(r * vocabulary, vocabulary), 0, 1, new DeterministicRandom((ulong)r));
                Assert.Equal(Math.Min(first, second), greedy[r].Token);
                Assert.Equal(expected, greedy[r]);
            }
        }
    }

    private static DeterministicRandom[] Randoms(int rows) => Enumerable.Range(0, rows).Select(r => new DeterministicRandom((ulong)r)).ToArray();
}
