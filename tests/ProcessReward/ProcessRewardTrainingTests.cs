using Reasoning.ProcessReward;
using Reasoning.ProcessReward.Labels;
using Reasoning.ProcessReward.Training;

namespace Reasoning.Tests.ProcessReward;

public sealed class ProcessRewardTrainingTests
{
    [Fact]
    public void TheHeldOutSplitIsByProblemAndSeeded()
    {
        var solutions = Enumerable.Range(0, 40).Select(i => new LabeledSolution($"p{i % 10}", "1", ["1"], [1])).ToList();
        var (train, heldOut) = ProcessRewardTraining.Split(solutions, 0.2, seed: 1);
        Assert.Equal(32, train.Count);
        Assert.Equal(8, heldOut.Count);
        Assert.Empty(train.Select(s => s.ProblemId).Intersect(heldOut.Select(s => s.ProblemId)));
        Assert.Equal(heldOut, ProcessRewardTraining.Split(solutions, 0.2, seed: 1).HeldOut);
        Assert.NotEqual(heldOut.Select(s => s.ProblemId).Distinct(), ProcessRewardTraining.Split(solutions, 0.2, seed: 2).HeldOut.Select(s => s.ProblemId).Distinct());
        Assert.Empty(ProcessRewardTraining.Split(solutions, 0, seed: 1).HeldOut);
        Assert.Single(ProcessRewardTraining.Split(solutions.Take(2).ToList(), 0.01, seed: 1).HeldOut);
    }

    [Fact]
    public void InvalidOptionsNameTheKey()
    {
        Assert.Contains("HeldOutFraction", Assert.Throws<ArgumentOutOfRangeException>(() => new ProcessRewardTrainingOptions(new RewardModelTrainingOptions(), HeldOutFraction: 1).Validate()).Message);
        Assert.Contains("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new RewardModelTrainingOptions(BatchSize: 0).Validate()).Message);
    }

    [Fact]
    public void AMismatchedLabelCountIsRefused() =>
        Assert.Contains("2 lines but 1 labels", Assert.Throws<ArgumentException>(() => new LabeledSolution("p", "1", ["1", "2"], [1]).Validate()).Message);
}
