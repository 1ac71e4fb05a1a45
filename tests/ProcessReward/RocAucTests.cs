using Reasoning.ProcessReward.Training;

namespace Reasoning.Tests.ProcessReward;

public sealed class RocAucTests
{
    [Fact]
    public void TheWorkedExampleIsFiveSixths() =>
        Assert.Equal(5.0 / 6, RocAuc.Compute([0.9, 0.8, 0.7, 0.6, 0.55], [true, true, false, true, false]), 12);

    [Theory]
    [InlineData(new[] { 0.5, 0.5 }, new[] { true, false }, 0.5)]
    // Positives 0.7, 0.5; negatives 0.5, 0.2: pairs (0.7, 0.5) 1, (0.7, 0.2) 1, (0.5, 0.5) ½, (0.5, 0.2) 1 → 3.5 / 4.
    [InlineData(new[] { 0.5, 0.7, 0.2, 0.5 }, new[] { true, true, false, false }, 0.875)]
    [InlineData(new[] { 0.1, 0.9 }, new[] { true, false }, 0.0)]
    [InlineData(new[] { 0.3, 0.3, 0.3 }, new[] { true, false, true }, 0.5)]
    public void TiesCountOneHalf(double[] scores, bool[] labels, double auc) =>
        Assert.Equal(auc, RocAuc.Compute(scores, labels), 12);

    [Fact]
    public void WithOneClassItIsUndefined()
    {
        Assert.True(double.IsNaN(RocAuc.Compute([0.1, 0.2], [true, true])));
        Assert.True(double.IsNaN(RocAuc.Compute([], [])));
    }
}
