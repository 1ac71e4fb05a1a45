using Reasoning.ProcessReward.Scoring;

namespace Reasoning.Tests.ProcessReward;

public sealed class ScoreAggregatorTests
{
    [Theory]
    [InlineData(ScoreAggregation.Min, 0.5)]
    [InlineData(ScoreAggregation.Product, 0.36)]
    [InlineData(ScoreAggregation.Last, 0.8)]
    [InlineData(ScoreAggregation.Mean, 2.2 / 3)]
    public void TheWorkedExample(ScoreAggregation how, double expected) =>
        Assert.Equal(expected, ScoreAggregator.Aggregate([0.9, 0.5, 0.8], how), 12);

    [Theory]
    [InlineData(ScoreAggregation.Min)]
    [InlineData(ScoreAggregation.Product)]
    [InlineData(ScoreAggregation.Last)]
    [InlineData(ScoreAggregation.Mean)]
    public void NoLinesScoreZero(ScoreAggregation how) => Assert.Equal(0, ScoreAggregator.Aggregate([], how));
}
