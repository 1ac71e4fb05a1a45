using Reasoning.Core.Solutions;
using Reasoning.Search.Mcts;

namespace Reasoning.Tests.Search;

public sealed class ExpansionTests
{
    private static readonly IsAnswerStep Lines = LineSolutionFormat.Instance.IsAnswerStep;

    [Theory]
    [InlineData(1e4, -1e4, 1.0, 0.0)]
    [InlineData(-1e4, -1e4, 0.5, 0.5)]
    [InlineData(-1e4, -1e4 - 0.6931471805599453, 0.6666666666666666, 0.3333333333333333)]
    [InlineData(1e308, -1e308, 1.0, 0.0)]
    [InlineData(double.NegativeInfinity, double.NegativeInfinity, 0.5, 0.5)]
    [InlineData(double.PositiveInfinity, 0, 1.0, 0.0)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity, 0.5, 0.5)]
    [InlineData(double.NaN, -3, 0.0, 1.0)]
    [InlineData(double.NaN, double.NaN, 0.5, 0.5)]
    [InlineData(0, 0, 0.5, 0.5)]
    public void SoftmaxIsFiniteAndNormalised(double a, double b, double pa, double pb)
    {
        double[] priors = Expansion.Softmax([a, b]);
        Assert.Equal(pa, priors[0], 1e-12);
        Assert.Equal(pb, priors[1], 1e-12);
    }

    [Fact]
    public void SoftmaxOfOneLogitIsOne() => Assert.Equal([1.0], Expansion.Softmax([-12345.0]));

    [Theory]
    [InlineData(-1.0, 3, -1.0 + 1.0986122886681098)]
    [InlineData(1e4, 2, 1e4 + 0.6931471805599453)]
    [InlineData(-1e4, 1, -1e4)]
    [InlineData(double.NegativeInfinity, 2, double.NegativeInfinity)]
    public void LogSumExpOfCopiesAddsTheLogOfTheCount(double logProbability, int copies, double expected) =>
        Assert.Equal(expected, Expansion.LogSumExp(Enumerable.Repeat(logProbability, copies).ToList()), 1e-9);

    [Fact]
    public void MergeKeepsFirstSampledOrderAndSeparatesCutOffLines()
    {
        var merged = Expansion.Merge(
        [
            new StepCandidate("b", -1), new StepCandidate("a", -2), new StepCandidate("b ", -1),
            new StepCandidate("a", -2, Finished: false),
        ]);

        Assert.Equal(["b", "a", "a"], merged.Select(m => m.Text));
        Assert.Equal([2, 1, 1], merged.Select(m => m.Copies));
        Assert.Equal([true, true, false], merged.Select(m => m.Finished));
        Assert.Equal(-1 + Math.Log(2), merged[0].LogProbability, 1e-12);
    }

    [Fact]
    public void ExpansionMarksTerminalChildrenAndAsksScoresForFinishedOnes()
    {
        var tree = new SearchTree(problem: 0);
        IReadOnlyList<int> toScore = Expansion.Expand(tree, SearchTree.RootIndex,
        [
            new StepCandidate("answer: 3", -1), new StepCandidate("2+1=3", -1), new StepCandidate("2+", -1, Finished: false),
        ], maxDepth: 5, Lines);

        Assert.Equal([1, 2], toScore);
        Assert.Equal([true, false, true], tree.Children(SearchTree.RootIndex).Select(c => tree.Terminal[c]));
        Assert.True(tree.EndsAtAnswer(1));
    }

    [Fact]
    public void ChildrenAtTheMaximumDepthAreTerminal()
    {
        var tree = new SearchTree(problem: 0);
        Expansion.Expand(tree, SearchTree.RootIndex, [new StepCandidate("s", 0)], maxDepth: 1, Lines);
        Assert.True(tree.Terminal[1]);
        Assert.False(tree.EndsAtAnswer(1));
    }

    [Fact]
    public void ALeafWithNoCandidatesBecomesATerminalDeadEnd()
    {
        var tree = new SearchTree(problem: 0);
        Assert.Empty(Expansion.Expand(tree, SearchTree.RootIndex, [], maxDepth: 4, Lines));
        Assert.True(tree.Terminal[SearchTree.RootIndex]);
        Assert.False(tree.IsExpanded(SearchTree.RootIndex));
    }
}
