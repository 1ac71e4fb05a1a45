using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Policy.Strategies;

namespace Reasoning.Tests.Policy;

/// <summary>The sampling baselines read answers by the task's format: a GSM8K dataset's <c>#### 42</c>, not <c>answer: 42</c>.</summary>
public sealed class FreeTextStrategyTests
{
    private static readonly ISolutionFormat Gsm8k = JsonlTask.FormatFor(AnswerFormat.Gsm8k);

    [Theory]
    [InlineData("Half of 84 is 84 / 2 = 42.\n#### 42\n", "42")]
    [InlineData("She has 1,200 + 34 = 1,234 stickers.\n#### 1,234\nThen more text.\n", "1,234")] // as written; the verifier compares numbers
    [InlineData("Half of 84 is 42.\nanswer: 42\n", null)]                                        // the line format's mark is no answer here
    [InlineData("Half of 84 is 42.\n#### ", null)]                                               // a mark without an answer
    public void GreedyReadsTheAnswerTheTasksFormatMarks(string completion, string? answer) =>
        Assert.Equal(new Attempt("q", answer, completion), GreedyStrategy.AttemptOf("q", completion, Gsm8k));

    [Fact]
    public void GreedyOnTheLineFormatIsUnchanged() =>
        Assert.Equal(new Attempt("q", "29", "3+4=7\nanswer: 29\n#### 30\n"), GreedyStrategy.AttemptOf("q", "3+4=7\nanswer: 29\n#### 30\n", LineSolutionFormat.Instance));
}
