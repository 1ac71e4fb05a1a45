using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.ShortestPath;

namespace Reasoning.Tests.Core;

public sealed class ShortestPathTaskTests
{
    private readonly ShortestPathTask _task = new();

    // A-B-C-D costs 3+2+1 = 6; A-C-D costs 7+1 = 8.
    private static readonly Problem Diamond = Problem.Create("shortest-path", 0, "A-B:3 A-C:7 B-C:2 C-D:1 A>D", "6", []);

    [Fact]
    public void AWorkedExampleChecksStepByStep()
    {
        IReadOnlyList<StepVerdict> verdicts = _task.CheckSteps(Diamond, ["A>B:0+3=3", "B>C:3+2=5", "C>D:5+1=6"]);
        Assert.Equal([true, true, true], verdicts.Select(v => v.IsGood));
        Assert.Equal([false, false, true], verdicts.Select(v => v.IsFinal));
        Assert.True(_task.VerifyAnswer(Diamond, "6"));
        Assert.False(_task.VerifyAnswer(Diamond, "8"));
    }

    [Fact]
    public void ALocallyRightMoveOffEveryShortestPathIsADeadEnd()
    {
        IReadOnlyList<StepVerdict> verdicts = _task.CheckSteps(Diamond, ["A>C:0+7=7", "C>D:7+1=8"]);
        Assert.All(verdicts, v => Assert.True(v.IsValid));
        Assert.All(verdicts, v => Assert.False(v.CanStillSolve));
        Assert.Equal("C at distance 7 is off every shortest path (6)", verdicts[0].Reason);
    }

    [Theory]
    [InlineData("B>C:0+2=2", "the walk is at A, not B")]
    [InlineData("A>D:0+1=1", "there is no edge A-D")]
    [InlineData("A>B:0+4=4", "the edge A-B weighs 3, not 4")]
    [InlineData("A>B:1+3=4", "the distance so far is 0, not 1")]
    [InlineData("A>B:0+3=4", "0+3 is 3, not 4")]
    [InlineData("A>Z:0+3=3", "there is no edge A-Z")]
    [InlineData("A-B 3", "not a move of the form A>B:0+3=3")]
    public void AnInvalidMoveSaysWhy(string step, string reason)
    {
        StepVerdict verdict = _task.CheckStep(Diamond, [], step);
        Assert.False(verdict.IsValid);
        Assert.Equal(reason, verdict.Reason);
    }

    [Fact]
    public void AnyOfSeveralShortestPathsIsAccepted()
    {
        // Two routes of cost 4: A-B-D and A-C-D.
        Problem square = Problem.Create("shortest-path", 0, "A-B:1 A-C:2 B-D:3 C-D:2 A>D", "4", []);
        Assert.True(_task.IsCompleteDerivation(square, ["A>B:0+1=1", "B>D:1+3=4"]));
        Assert.True(_task.IsCompleteDerivation(square, ["A>C:0+2=2", "C>D:2+2=4"]));
    }

    [Fact]
    public void TheReferencePathIsTheOnlyShortestPathAndHasDifficultyEdges()
    {
        var random = new DeterministicRandom(2);
        for (int i = 0; i < 300; i++)
        {
            int difficulty = 1 + i % _task.MaxDifficulty;
            Problem problem = _task.Generate(difficulty, random);
            Assert.True(Graph.TryParsePrompt(problem.Prompt, out Graph graph, out int source, out int target));
            (int[] distance, int[] count) = graph.ShortestFrom(source);
            Assert.Equal(1, count[target]);
            Assert.Equal(problem.Answer, distance[target].ToString());
            Assert.InRange(graph.NodeCount, difficulty + 1, difficulty + 4); // a node with no edge is not in the prompt
        }
    }
}
