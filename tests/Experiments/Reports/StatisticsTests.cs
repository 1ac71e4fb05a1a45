using Reasoning.Experiments.Reports;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class StatisticsTests
{
    [Theory]
    [InlineData(45, 50, 0.7864, 0.9565)]
    [InlineData(36, 50, 0.5833, 0.8253)]
    [InlineData(72, 100, 0.6251, 0.7986)]
    [InlineData(0, 10, 0.0, 0.2775)]
    [InlineData(10, 10, 0.7225, 1.0)]
    [InlineData(1, 1, 0.2065, 1.0)]
    public void WilsonIntervalMatchesWorkedNumbers(long successes, long trials, double low, double high)
    {
        Interval interval = Statistics.Wilson(successes, trials);
        Assert.Equal(low, interval.Low, 4);
        Assert.Equal(high, interval.High, 4);
        Assert.InRange(interval.Low, 0, 1);
        Assert.InRange(interval.High, 0, 1);
    }

    [Fact]
    public void WilsonEdgesAreExactlyZeroAndOne()
    {
        Assert.Equal(0.0, Statistics.Wilson(0, 10).Low);
        Assert.Equal(1.0, Statistics.Wilson(10, 10).High);
    }

    [Fact]
    public void WilsonRejectsImpossibleCounts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Wilson(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Wilson(11, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Wilson(-1, 10));
    }

    [Theory]
    [InlineData(0, 5, 0.0625)]                   // 2 · (1/2)^5
    [InlineData(5, 0, 0.0625)]                   // symmetric
    [InlineData(1, 9, 0.021484375)]              // 2 · (1 + 10) / 2^10
    [InlineData(3, 3, 1.0)]                      // 2 · 42/64 > 1, capped
    [InlineData(0, 0, 1.0)]                      // no discordant pair: no evidence either way
    [InlineData(50, 100, 5.447533103392586e-05)] // from exact integer arithmetic (Python fractions)
    [InlineData(40, 92, 6.974666252127661e-06)]
    [InlineData(600, 700, 0.0060157938610449525)]
    [InlineData(700, 900, 6.319484959450139e-07)] // past 1,000 discordant questions: the log-space sum
    public void McNemarsExactTestMatchesWorkedNumbers(int onlyFirstRight, int onlySecondRight, double p)
    {
        Assert.Equal(p, Statistics.McNemarExact(onlyFirstRight, onlySecondRight), p * 1e-9);
    }

    [Fact]
    public void McNemarsExactTestStaysFiniteForLargeCounts()
    {
        double p = Statistics.McNemarExact(1, 2000); // 2 · 2001 / 2^2001: below the smallest double
        Assert.True(p >= 0 && p < 1e-300, $"{p}");
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.McNemarExact(-1, 3));
    }

    [Fact]
    public void MeanAndSampleStandardDeviation()
    {
        Assert.Equal(0.8, Statistics.Mean([0.7, 0.8, 0.9])!.Value, 12);
        Assert.Equal(0.1, Statistics.SampleStandardDeviation([0.7, 0.8, 0.9])!.Value, 12);
        Assert.Equal(0.0212132, Statistics.SampleStandardDeviation([0.72, 0.75])!.Value, 6);
        Assert.Null(Statistics.SampleStandardDeviation([0.72]));
        Assert.Null(Statistics.Mean([]));
    }
}
