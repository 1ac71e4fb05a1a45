using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Arithmetic;
using Reasoning.Core.Tasks.Countdown;
using Reasoning.ProcessReward.Labels;

namespace Reasoning.Tests.ProcessReward;

public sealed class ExactStepLabelsTests
{
    private static readonly Problem Arithmetic = Problem.Create("arithmetic", 3, "(3+4)*5-6", "29", ["3+4=7", "7*5=35", "35-6=29"]);

    [Fact]
    public void ARightSolutionIsGoodEverywhere()
    {
        LabeledSolution labelled = ExactStepLabels.Label(new ArithmeticTask(), Arithmetic, "3+4=7\n7*5=35\n35-6=29\nanswer: 29\n");
        Assert.Equal(["3+4=7", "7*5=35", "35-6=29", "answer: 29"], labelled.Lines);
        Assert.Equal([1.0, 1, 1, 1], labelled.Labels);
        Assert.Equal(Arithmetic.Id, labelled.ProblemId);
        Assert.Equal(Arithmetic.Prompt, labelled.Prompt);
    }

    [Fact]
    public void AWrongStepAndEverythingAfterItAreBad() =>
        Assert.Equal([1.0, 0, 0, 0], ExactStepLabels.Label(new ArithmeticTask(), Arithmetic, "3+4=7\n7*5=36\n36-6=30\nanswer: 30\n").Labels);

    [Fact]
    public void AValidDeadEndIsBad()
    {
        // 25-5=20 is valid arithmetic on available numbers, but 90 can no longer be reached from 3 and 20.
        Problem countdown = Problem.Create("countdown", 2, "3 5 25 -> 90", "(25+5)*3", ["25+5=30", "30*3=90"]);
        LabeledSolution labelled = ExactStepLabels.Label(new CountdownTask(), countdown, "25-5=20\n20*3=60\nanswer: (25-5)*3\n");
        Assert.Equal([0.0, 0, 0], labelled.Labels);
        Assert.Equal([1.0, 1, 1], ExactStepLabels.Label(new CountdownTask(), countdown, "25+5=30\n30*3=90\nanswer: (25+5)*3\n").Labels);
    }

    [Fact]
    public void AGoodStepAfterABadOneIsStillBad()
    {
        var task = new ScriptedTask(StepVerdict.Good(false), StepVerdict.DeadEnd("stuck"), StepVerdict.Good(true));
        Assert.Equal([1.0, 0, 0, 1], ExactStepLabels.Label(task, task.Generate(1, new DeterministicRandom(0)), "a\nb\nc\nanswer: right\n").Labels);
    }

    [Theory]
    [InlineData(null, new string[0], new double[0])]
    [InlineData("", new string[0], new double[0])]
    [InlineData("\u0001\u0002 no newline at all", new string[0], new double[0])]
    [InlineData("3+4=7\nblah blah\nanswer: 2", new[] { "3+4=7", "blah blah" }, new[] { 1.0, 0 })] // the answer line was cut off
    [InlineData("\n\n3+4=7\n\u0007\nanswer: 29\n", new[] { "3+4=7", "answer: 29" }, new[] { 1.0, 1 })] // blank and malformed lines skipped
    public void GarbageGivesWhateverLinesParse(string? completion, string[] lines, double[] labels)
    {
        LabeledSolution labelled = ExactStepLabels.Label(new ArithmeticTask(), Arithmetic, completion);
        Assert.Equal(lines, labelled.Lines);
        Assert.Equal(labels, labelled.Labels);
    }
}
