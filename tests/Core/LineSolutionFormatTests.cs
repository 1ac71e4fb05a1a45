using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;

namespace Reasoning.Tests.Core;

public sealed class LineSolutionFormatTests
{
    private static readonly ISolutionFormat Lines = LineSolutionFormat.Instance;

    [Fact]
    public void ParsingAgreesWithSolutionTextAndNamesTheAnswerLine()
    {
        var completions = new List<string?> { null, "", "3+4=7\n", "3+4=7\nanswer: 7\n", "3+4=7\nANSWER:7\n", "3+4=7\nanswer:\n", "3+4", "answer: 2\u00019\n" };
        foreach (IReasoningTask task in TaskTestData.Registry.All)
        {
            completions.AddRange(TaskTestData.Generate(task, task.MinDifficulty + 1, 20).Select(p => SolutionText.RenderCompletion(p.ReferenceSteps, p.Answer)));
        }

        foreach (string? completion in completions)
        {
            ParsedSolution expected = SolutionText.ParseCompletion(completion);
            ParsedSolution parsed = Lines.ParseCompletion(completion);
            Assert.Equal(expected.Steps, parsed.Steps);
            Assert.Equal(expected.Answer, parsed.Answer);
            Assert.Equal(expected.MalformedLines, parsed.MalformedLines);
            Assert.Equal(expected.Truncated, parsed.Truncated);
            Assert.Equal(expected.Answer is null ? null : "answer: " + expected.Answer, parsed.AnswerStep);
        }
    }

    [Fact]
    public void RenderingPassesThroughToSolutionText()
    {
        string[] steps = ["3+4=7", "7*5=35"];
        Assert.Equal(SolutionText.RenderCompletion(steps, "35"), Lines.RenderCompletion(steps, "35"));
        Assert.Equal(SolutionText.RenderLines(steps), Lines.RenderSteps(steps));
        Assert.Equal("\n", Lines.StepSeparator);
        Assert.Equal("answer: 35", Lines.AnswerStep("35"));
        Assert.True(Lines.IsAnswerStep("answer: 35"));
        Assert.False(Lines.IsAnswerStep("7*5=35"));
        Assert.Equal("lines", Lines.Name);
    }

    [Fact]
    public void TheBuiltInTasksWriteLinesAndCheckSteps()
    {
        foreach (IReasoningTask task in TaskTestData.Registry.All.Append(new ParityTask()))
        {
            Assert.Same(LineSolutionFormat.Instance, task.SolutionFormat);
            Assert.True(task.HasStepChecker);
            task.RequireStepChecker();
        }
    }
}
