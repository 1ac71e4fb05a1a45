using Reasoning.Core.Problems;
using Reasoning.Search.Mcts;

namespace Reasoning.Tests.Search;

public sealed class FinalChoiceTests
{
    /// <summary>Root children x (5 visits, Q 0.4), y (2 visits, Q 0.8), z (unvisited, score 0.95), none expanded.</summary>
    private static SearchTree Tree()
    {
        var tree = new SearchTree(problem: 0);
        tree.AddChildren(SearchTree.RootIndex, [("x", 0.5, false, 1, false, false), ("y", 0.3, false, 1, false, false), ("z", 0.2, false, 1, false, false)]);
        tree.SetScore(3, 0.95);
        for (int i = 0; i < 5; i++)
        {
            Backup.Propagate(tree, 1, 0.4);
        }

        Backup.Propagate(tree, 2, 0.8);
        Backup.Propagate(tree, 2, 0.8);
        return tree;
    }

    [Fact]
    public void MostVisitedPicksVisitsAndBestValuePicksQ()
    {
        SearchTree tree = Tree();
        Assert.Equal(1, FinalChoice.MostVisited(tree, SearchTree.RootIndex));
        Assert.Equal(3, FinalChoice.BestValue(tree, SearchTree.RootIndex));
    }

    [Fact]
    public void PuctIsWorkedOutByHandAndPicksItsMaximum()
    {
        // Root children x (prior 0.5, 3 visits of value 0.4), y (prior 0.3, 1 visit of 0.8), z (prior 0.2, unvisited,
        // score 0.1). The root has 4 visits, so √N = 2 and with c = 1.25:
        // x: 0.4 + 1.25·0.5·2/(1 + 3) = 0.7125; y: 0.8 + 1.25·0.3·2/(1 + 1) = 1.175; z: 0.1 + 1.25·0.2·2/(1 + 0) = 0.6.
        var tree = new SearchTree(problem: 0);
        tree.AddChildren(SearchTree.RootIndex, [("x", 0.5, false, 1, false, false), ("y", 0.3, false, 1, false, false), ("z", 0.2, false, 1, false, false)]);
        tree.SetScore(3, 0.1);
        for (int i = 0; i < 3; i++)
        {
            Backup.Propagate(tree, 1, 0.4);
        }

        Backup.Propagate(tree, 2, 0.8);
        Assert.Equal(0.7125, Selection.Puct(tree, 1, 1.25), 12);
        Assert.Equal(1.175, Selection.Puct(tree, 2, 1.25), 12);
        Assert.Equal(0.6, Selection.Puct(tree, 3, 1.25), 12);
        Assert.Equal(2, Selection.SelectChild(tree, SearchTree.RootIndex, 1.25));
    }

    [Fact]
    public void PuctTiesGoToTheLowerIndex()
    {
        // Four unvisited children with equal priors and equal scores: equal PUCT, so the first is selected.
        var tree = new SearchTree(problem: 0);
        tree.AddChildren(SearchTree.RootIndex, [("p", 0.25, false, 1, false, false), ("q", 0.25, false, 1, false, false), ("r", 0.25, false, 1, false, false), ("s", 0.25, false, 1, false, false)]);
        for (int child = 1; child <= 4; child++)
        {
            tree.SetScore(child, 0.5);
        }

        Assert.Equal(1, Selection.SelectChild(tree, SearchTree.RootIndex, 1.25));
        // The second and third tie above the others: the second wins.
        tree.SetScore(2, 0.9);
        tree.SetScore(3, 0.9);
        Assert.Equal(2, Selection.SelectChild(tree, SearchTree.RootIndex, 1.25));
    }

    [Fact]
    public void VisitTiesGoToHigherQThenLowerIndex()
    {
        var tree = new SearchTree(problem: 0);
        tree.AddChildren(SearchTree.RootIndex, [("p", 0.25, false, 1, false, false), ("q", 0.25, false, 1, false, false), ("r", 0.25, false, 1, false, false), ("s", 0.25, false, 1, false, false)]);
        tree.SetScore(1, 0.5);
        tree.SetScore(2, 0.7);
        tree.SetScore(3, 0.7);
        Assert.Equal(2, FinalChoice.MostVisited(tree, SearchTree.RootIndex));
        Assert.Equal(2, FinalChoice.BestValue(tree, SearchTree.RootIndex));
    }

    [Theory]
    [InlineData(1e-9, 1.0)]
    [InlineData(1.0, 5.0 / 7)]
    [InlineData(1e9, 0.5)]
    public void SamplingByVisitsFollowsNToTheOneOverT(double temperature, double expectedShareOfX)
    {
        SearchTree tree = Tree();
        var random = new DeterministicRandom(7);
        int draws = 4000;
        int x = Enumerable.Range(0, draws).Count(_ => FinalChoice.SampleByVisits(tree, SearchTree.RootIndex, temperature, random) == 1);
        // The unvisited child z is never drawn; as T → 0 the most visited (x) always wins.
        Assert.Equal(expectedShareOfX, (double)x / draws, 0.03);
    }

    [Fact]
    public void TheBestAnswerIsTheBestScoringCompleteAnswerLineAnywhere()
    {
        var tree = new SearchTree(problem: 0);
        tree.AddChildren(SearchTree.RootIndex, [("answer: 1", 0.5, true, 1, false, true), ("answer: 2", 0.3, true, 1, true, false), ("s", 0.2, false, 1, false, false)]);
        tree.SetScore(1, 0.3);
        tree.SetScore(2, 0.99);
        tree.SetScore(3, 0.9);
        tree.AddChildren(3, [("answer: 3", 1, true, 1, false, true)]);
        tree.SetScore(4, 0.6);
        Assert.Equal(4, FinalChoice.BestAnswer(tree));
        Assert.Equal(["s", "answer: 3"], tree.Steps(4));
    }
}
