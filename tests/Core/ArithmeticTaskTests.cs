using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Arithmetic;

namespace Reasoning.Tests.Core;

public sealed class ArithmeticTaskTests
{
    private readonly ArithmeticTask _task = new();

    private static Problem Question(string prompt) => Problem.Create("arithmetic", 0, prompt, "", []);

    [Fact]
    public void AWorkedExampleChecksStepByStep()
    {
        Problem problem = Question("(3+4)*5-6");
        IReadOnlyList<StepVerdict> verdicts = _task.CheckSteps(problem, ["3+4=7", "7*5=35", "35-6=29"]);
        Assert.Equal([true, true, true], verdicts.Select(v => v.IsGood));
        Assert.Equal([false, false, true], verdicts.Select(v => v.IsFinal));
        Assert.True(_task.VerifyAnswer(problem, "29"));
        Assert.True(_task.VerifyAnswer(problem, " 29 "));
        Assert.False(_task.VerifyAnswer(problem, "30"));
        Assert.False(_task.VerifyAnswer(problem, "29.0"));
    }

    [Theory]
    [InlineData("3+4=8", "3+4 is 7, not 8")]
    [InlineData("4*5=20", "4*5 is not an operation that can be worked out next in (3+4)*5-6")]
    [InlineData("5-6=-1", "5-6 is not an operation that can be worked out next in (3+4)*5-6")]
    [InlineData("3 + 4 = 7 + 1", "not an operation of the form a+b=c")]
    [InlineData("seven", "not an operation of the form a+b=c")]
    public void AnInvalidStepSaysWhy(string step, string reason)
    {
        StepVerdict verdict = _task.CheckStep(Question("(3+4)*5-6"), [], step);
        Assert.False(verdict.IsValid);
        Assert.False(verdict.CanStillSolve);
        Assert.Equal(reason, verdict.Reason);
    }

    [Fact]
    public void StepsAfterAnInvalidStepAreInvalid()
    {
        IReadOnlyList<StepVerdict> verdicts = _task.CheckSteps(Question("(3+4)*5-6"), ["3+4=8", "7*5=35"]);
        Assert.False(verdicts[1].IsValid);
        Assert.Equal("follows invalid step 1", verdicts[1].Reason);
    }

    [Fact]
    public void AnyOperationWhoseOperandsAreNumbersMayGoFirst()
    {
        Problem problem = Question("2*3+4*5");
        Assert.True(_task.IsCompleteDerivation(problem, ["4*5=20", "2*3=6", "6+20=26"]));
        Assert.True(_task.IsCompleteDerivation(problem, ["2*3=6", "4*5=20", "6+20=26"]));
        // + and * may be written either way round; - may not.
        Assert.True(_task.IsCompleteDerivation(problem, ["5*4=20", "3*2=6", "20+6=26"]));
        Assert.False(_task.CheckStep(Question("9-4"), [], "4-9=-5").IsValid);
    }

    [Fact]
    public void LookAlikeOperationsAreFollowedInEveryReading()
    {
        Problem problem = Question("2*3+2*3-(2*3)");
        Assert.True(_task.IsCompleteDerivation(problem, ["2*3=6", "2*3=6", "6+6=12", "2*3=6", "12-6=6"]));
    }

    [Theory]
    [InlineData("(3+4)*5-6")]
    [InlineData("1-(2-3)")]
    [InlineData("1+(2+3)")]
    [InlineData("2*(3*4)")]
    [InlineData("(1-2)-3")]
    [InlineData("((7))")]
    public void RenderingGivesBackTheSameTree(string text)
    {
        Expression parsed = Expression.TryParse(text)!;
        Assert.Equal(parsed, Expression.TryParse(parsed.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1+")]
    [InlineData("(1+2")]
    [InlineData("1+2)")]
    [InlineData("1/2")]
    [InlineData("1234567890+1")]
    [InlineData("999999999*999999999*999999999")]
    public void MalformedOrOverflowingExpressionsDoNotParse(string text) => Assert.Null(Expression.TryParse(text));

    [Fact]
    public void DeepNestingIsRefusedNotOverflowed() =>
        Assert.Null(Expression.TryParse(new string('(', 100) + "1" + new string(')', 100)));

    [Fact]
    public void GeneratedValuesStayInTheLearnableRange()
    {
        var random = new DeterministicRandom(4);
        for (int i = 0; i < 500; i++)
        {
            Problem problem = _task.Generate(1 + i % _task.MaxDifficulty, random);
            foreach (string step in problem.ReferenceSteps)
            {
                long[] numbers = step.Split('+', '-', '*', '=').Select(long.Parse).ToArray();
                Assert.All(numbers, n => Assert.InRange(n, 0, ArithmeticTask.MaxValue));
            }
        }
    }
}
