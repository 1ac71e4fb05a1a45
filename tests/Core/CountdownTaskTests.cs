using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Countdown;

namespace Reasoning.Tests.Core;

public sealed class CountdownTaskTests
{
    private readonly CountdownTask _task = new();

    private static Problem Question(string prompt) => Problem.Create("countdown", 0, prompt, "", []);

    [Fact]
    public void AWorkedExampleChecksStepByStep()
    {
        Problem problem = Question("3 5 25 -> 90");
        IReadOnlyList<StepVerdict> verdicts = _task.CheckSteps(problem, ["25+5=30", "30*3=90"]);
        Assert.Equal([true, true], verdicts.Select(v => v.IsGood));
        Assert.Equal([false, true], verdicts.Select(v => v.IsFinal));
    }

    [Fact]
    public void AValidStepFromWhichTheTargetIsUnreachableIsADeadEnd()
    {
        // 25-5 = 20 leaves 3 and 20: 23, 17, 60 and nothing else; 90 is out of reach.
        StepVerdict verdict = _task.CheckStep(Question("3 5 25 -> 90"), [], "25-5=20");
        Assert.True(verdict.IsValid);
        Assert.False(verdict.CanStillSolve);
        Assert.Equal("90 cannot be reached from 3 20", verdict.Reason);
    }

    [Theory]
    [InlineData("5-25=-20", "5-25 is not positive")]
    [InlineData("25/3=8", "25/3 does not divide exactly")]
    [InlineData("25+5=31", "25+5 is 30, not 31")]
    [InlineData("7+5=12", "7 is not available (available: 3 5 25)")]
    [InlineData("5+5=10", "5 is not available (available: 3 25 after taking 5)")]
    [InlineData("25 plus 5", "not an operation of the form a+b=c")]
    public void AnInvalidStepSaysWhy(string step, string reason)
    {
        StepVerdict verdict = _task.CheckStep(Question("3 5 25 -> 90"), [], step);
        Assert.False(verdict.IsValid);
        Assert.Equal(reason, verdict.Reason);
    }

    [Fact]
    public void ANumberThatAppearsTwiceMayBeUsedTwice() =>
        Assert.True(_task.IsCompleteDerivation(Question("5 5 2 -> 50"), ["5+5=10", "10*2=20"]) == false
            && _task.IsCompleteDerivation(Question("5 5 2 -> 50"), ["5*5=25", "25*2=50"]));

    [Theory]
    [InlineData("(25+5)*3", true)]
    [InlineData("3*(5+25)", true)]
    [InlineData(" (5 + 25) * 3 ", true)]
    [InlineData("25*3+5*3", false)] // 3 used twice
    [InlineData("(25+5)*3+0", false)] // 0 is not given
    [InlineData("25+5", false)] // 3 unused, and 30
    [InlineData("90", false)]
    [InlineData("(25+5)*3/0", false)]
    [InlineData("(25+5)*", false)]
    public void TheAnswerIsAnExpressionOverEveryNumberOnce(string answer, bool right) =>
        Assert.Equal(right, _task.VerifyAnswer(Question("3 5 25 -> 90"), answer));

    [Fact]
    public void TheAnswerIsEvaluatedExactly()
    {
        // 3/2*4 = 6 only with exact fractions (integer division would give 4).
        Assert.True(_task.VerifyAnswer(Question("2 3 4 -> 6"), "3/2*4"));
        Assert.False(_task.VerifyAnswer(Question("2 3 4 -> 4"), "3/2*4"));
    }

    [Theory]
    [InlineData(new long[] { 3, 5, 25 }, 90, true)]
    [InlineData(new long[] { 3, 20 }, 90, false)]
    [InlineData(new long[] { 1, 1, 1, 1 }, 4, true)]
    [InlineData(new long[] { 1, 1, 1, 1 }, 5, false)]
    [InlineData(new long[] { 7 }, 7, true)]
    [InlineData(new long[] { 2, 3, 7, 11, 13, 17 }, 999, true)]
    [InlineData(new long[] { 1, 1, 1, 1, 1, 1 }, 100, false)]
    public void TheSolverKnowsWhatIsReachable(long[] numbers, long target, bool reachable) =>
        Assert.Equal(reachable, CountdownSolver.CanReach(numbers, target));

    [Fact]
    public void GeneratedTargetsAndStepsStayInTheLearnableRange()
    {
        var random = new DeterministicRandom(9);
        for (int i = 0; i < 500; i++)
        {
            Problem problem = _task.Generate(1 + i % _task.MaxDifficulty, random);
            Assert.True(CountdownTask.TryParsePrompt(problem.Prompt, out List<long> numbers, out long target));
            Assert.Equal(problem.Difficulty + 1, numbers.Count);
            Assert.All(numbers, n => Assert.InRange(n, 1, CountdownTask.MaxNumber));
            Assert.InRange(target, 1, CountdownTask.MaxValue);
        }
    }
}
