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
