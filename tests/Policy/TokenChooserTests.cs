using Reasoning.Core.Problems;
using Reasoning.Policy.Generation;

namespace Reasoning.Tests.Policy;

public sealed class TokenChooserTests
{
    private static float[] LogOf(params double[] p) => p.Select(x => (float)Math.Log(x)).ToArray();

    [Fact]
    public void TemperatureZeroTakesTheArgmax()
    {
        (int token, float logProbability) = TokenChooser.Choose(LogOf(0.2, 0.5, 0.3), 0, 1, new DeterministicRandom(1));
        Assert.Equal(1, token);
        Assert.Equal((float)Math.Log(0.5), logProbability);
    }

    [Fact]
    public void TopPKeepsTheSmallestSetReachingP()
    {
        // Sorted: 0.5 (id 1), 0.3 (id 2), 0.2 (id 0). top_p 0.7 keeps ids 1 and 2 only.
        var random = new DeterministicRandom(5);
        var counts = new int[3];
        for (int i = 0; i < 4000; i++)
        {
            counts[TokenChooser.Choose(LogOf(0.2, 0.5, 0.3), 1, 0.7, random).Token]++;
        }

        Assert.Equal(0, counts[0]);
        Assert.InRange(counts[1] / 4000.0, 0.625 - 0.03, 0.625 + 0.03); // 0.5 / 0.8
    }

    [Fact]
    public void SamplingFollowsTheDistribution()
    {
        var random = new DeterministicRandom(6);
        var counts = new int[3];
        for (int i = 0; i < 6000; i++)
        {
            counts[TokenChooser.Choose(LogOf(0.2, 0.5, 0.3), 1, 1, random).Token]++;
        }

        Assert.InRange(counts[0] / 6000.0, 0.17, 0.23);
        Assert.InRange(counts[2] / 6000.0, 0.27, 0.33);
    }

    [Fact]
    public void OneLegalTokenIsAlwaysChosen()
    {
        float[] logits = [float.NegativeInfinity, 0f, float.NegativeInfinity];
        Assert.Equal(1, TokenChooser.Choose(logits, 1, 1, new DeterministicRandom(2)).Token);
        Assert.Equal(1, TokenChooser.Choose(logits, 1, 0.1, new DeterministicRandom(2)).Token);
    }
}
