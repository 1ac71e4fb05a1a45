using System.Text;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;

namespace Reasoning.Tests.Core.FreeText;

public sealed class FreeTextFormatTests
{
    private static readonly FreeTextFormat Gsm8k = new(AnswerFormat.Gsm8k, "\n");
    private static readonly FreeTextFormat Boxed = new(AnswerFormat.Boxed);
    private static readonly FreeTextFormat Plain = new(AnswerFormat.Plain);

    /// <summary><paramref name="steps"/> is the expected steps joined by '|' ("" for none).</summary>
    [Theory]
    // GSM8K lines: the answer step may end the text or be followed by a newline; CRLF is read as LF.
    [InlineData(AnswerFormat.Gsm8k, "\n", "a=1\nb=2\n#### 3", "a=1|b=2", "3", 0, false)]
    [InlineData(AnswerFormat.Gsm8k, "\n", "a=1\nb=2\n#### 3\n", "a=1|b=2", "3", 0, false)]
    [InlineData(AnswerFormat.Gsm8k, "\n", "a=1\r\nb=2\r\n#### 3\r\n", "a=1|b=2", "3", 0, false)]
    [InlineData(AnswerFormat.Gsm8k, "\n", "  a=1  \n\n\nb=2\n#### 1,234\n", "a=1|b=2", "1,234", 0, false)]
    // Cut off inside a step: the partial step is dropped.
    [InlineData(AnswerFormat.Gsm8k, "\n", "a=1\nb=", "a=1", null, 0, true)]
    // Ended after a complete step, with no answer.
    [InlineData(AnswerFormat.Gsm8k, "\n", "a=1\n", "a=1", null, 0, false)]
    // A mark with nothing after it states no answer: it is a step like any other.
    [InlineData(AnswerFormat.Gsm8k, "\n", "a=1\n#### \n", "a=1|####", null, 0, false)]
    // The first answer step ends the solution.
    [InlineData(AnswerFormat.Gsm8k, "\n", "#### 4\n#### 5\n", "", "4", 0, false)]
    // Paragraphs, MATH answers.
    [InlineData(AnswerFormat.Boxed, "\n\n", "First.\n\nSecond.\n\nSo $\\boxed{5}$.", "First.|Second.", "5", 0, false)]
    [InlineData(AnswerFormat.Boxed, "\n\n", "Line one\nline two\n\n\\boxed{3}\n\n", "Line one\nline two", "3", 0, false)]
    [InlineData(AnswerFormat.Boxed, "\n\n", "First.\n\n\n\nSecond.\n\n", "First.|Second.", null, 0, false)]
    [InlineData(AnswerFormat.Boxed, "\n\n", "First.\n\nSo \\boxed{\\frac{1}{2", "First.", null, 0, true)]
    [InlineData(AnswerFormat.Boxed, "\n\n", "A.\n\n\\boxed{1}\n\nB.\n\n\\boxed{2}", "A.", "1", 0, false)]
    [InlineData(AnswerFormat.Boxed, "\n\n", "ok\n\nbad\u0001step\n\n\\boxed{2}", "ok", "2", 1, false)]
    [InlineData(AnswerFormat.Boxed, "\n\n", "ok\n\n\\boxed{2\u00013}\n\nmore", "ok", null, 0, false)]
    [InlineData(AnswerFormat.Boxed, "\n\n", "$\\boxed{\\dfrac{1}{\n2}}$", "", "\\dfrac{1}{ 2}", 0, false)]
    [InlineData(AnswerFormat.Boxed, "\n\n", "\n\n\n\n", "", null, 0, false)]
    // Plain answers are marked with an answer line.
    [InlineData(AnswerFormat.Plain, "\n\n", "Think.\n\nanswer: 42\n\n", "Think.", "42", 0, false)]
    [InlineData(AnswerFormat.Plain, "\n\n", "Think.\nANSWER:42", "", "42", 0, false)]
    [InlineData(AnswerFormat.Plain, "\n\n", "Think.\n\nThe answer is 42", "Think.", null, 0, true)]
    public void ParseCompletionFindsStepsAndTheAnswer(AnswerFormat answers, string separator, string completion, string steps, string? answer, int malformed, bool truncated)
    {
        ParsedSolution parsed = new FreeTextFormat(answers, separator).ParseCompletion(completion);
        Assert.Equal(steps.Length == 0 ? [] : steps.Split('|'), parsed.Steps);
        Assert.Equal(answer, parsed.Answer);
        Assert.Equal(malformed, parsed.MalformedLines);
        Assert.Equal(truncated, parsed.Truncated);
        Assert.Equal(answer is not null, parsed.AnswerStep is not null);
    }

    [Fact]
    public void TheAnswerStepIsKeptAsWritten()
    {
        ParsedSolution parsed = Boxed.ParseCompletion("Add them.\n\nSo the sum is $7$, that is $\\boxed{7}$.\n\n");
        Assert.Equal("So the sum is $7$, that is $\\boxed{7}$.", parsed.AnswerStep);
        Assert.Equal(["Add them."], parsed.Steps);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void NoCompletionParsesToNothing(string? completion) => Assert.Equal(ParsedSolution.Empty, Boxed.ParseCompletion(completion));

    [Fact]
    public void RenderedSolutionsParseBack()
    {
        foreach (FreeTextFormat format in new[] { Gsm8k, Boxed, Plain, new FreeTextFormat(AnswerFormat.Gsm8k) })
        {
            string[] steps = ["Natalia sold 48/2 = 24 clips in May.", "Natalia sold 48+24 = 72 clips altogether."];
            string completion = format.RenderCompletion(steps, "72");
            ParsedSolution parsed = format.ParseCompletion(completion);
            Assert.Equal(steps, parsed.Steps);
            Assert.Equal("72", parsed.Answer);
            Assert.Equal(format.AnswerStep("72"), parsed.AnswerStep);
            Assert.True(format.IsAnswerStep(parsed.AnswerStep!));
            Assert.EndsWith(format.StepSeparator, completion);
            Assert.Equal(format.RenderSteps(steps) + format.AnswerStep("72") + format.StepSeparator, completion);
        }
    }

    [Fact]
    public void RenderingStepsThatEndWithTheirAnswerAddsNoAnswerStep()
    {
        string[] steps = ["Since $2^6 = 64$,", "we have $\\log_2 64 = \\boxed{6}$."];
        string completion = Boxed.RenderCompletion(steps, "6");
        Assert.Equal("Since $2^6 = 64$,\n\nwe have $\\log_2 64 = \\boxed{6}$.\n\n", completion);
        ParsedSolution parsed = Boxed.ParseCompletion(completion);
        Assert.Equal(["Since $2^6 = 64$,"], parsed.Steps);
        Assert.Equal("6", parsed.Answer);
    }

    [Theory]
    [InlineData(AnswerFormat.Gsm8k, "#### 42", true)]
    [InlineData(AnswerFormat.Gsm8k, "so 6 * 7 = 42\n#### 42", true)]
    [InlineData(AnswerFormat.Gsm8k, "#### ", false)]
    [InlineData(AnswerFormat.Gsm8k, "6 * 7 = 42", false)]
    [InlineData(AnswerFormat.Boxed, "$\\boxed{42}$", true)]
    [InlineData(AnswerFormat.Boxed, "$\\boxed{42", false)]
    [InlineData(AnswerFormat.Boxed, "#### 42", false)]
    [InlineData(AnswerFormat.Plain, "answer: 42", true)]
    [InlineData(AnswerFormat.Plain, "  Answer:42  ", true)]
    [InlineData(AnswerFormat.Plain, "answer:", false)]
    [InlineData(AnswerFormat.Plain, "the answer: 42", false)]
    [InlineData(AnswerFormat.Plain, "", false)]
    public void IsAnswerStepSaysWhetherAStepEndsTheSolution(AnswerFormat answers, string step, bool expected) =>
        Assert.Equal(expected, new FreeTextFormat(answers).IsAnswerStep(step));

    [Theory]
    [InlineData(AnswerFormat.Gsm8k, "\n", "lines/gsm8k", "#### 5")]
    [InlineData(AnswerFormat.Boxed, "\n\n", "paragraphs/boxed", "The final answer is $\\boxed{5}$.")]
    [InlineData(AnswerFormat.Plain, "\n---\n", "steps/plain", "answer: 5")]
    public void TheFormatIsNamedForItsStepsAndAnswers(AnswerFormat answers, string separator, string name, string answerStep)
    {
        var format = new FreeTextFormat(answers, separator);
        Assert.Equal(name, format.Name);
        Assert.Equal(answerStep, format.AnswerStep("5"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("\t")]
    public void ASeparatorMustBeMoreThanSpaces(string separator) =>
        Assert.Throws<ArgumentException>(() => new FreeTextFormat(AnswerFormat.Boxed, separator));

    [Fact]
    public void StepsPastTheLimitAreIgnored()
    {
        string completion = string.Concat(Enumerable.Range(0, SolutionText.MaxSteps + 10).Select(i => $"step {i}\n\n")) + "\\boxed{1}";
        ParsedSolution parsed = Boxed.ParseCompletion(completion);
        Assert.Equal(SolutionText.MaxSteps, parsed.Steps.Count);
        Assert.Equal("1", parsed.Answer);
    }

    [Fact]
    public void AnOverlongStepIsMalformed()
    {
        ParsedSolution parsed = Boxed.ParseCompletion("short\n\n" + new string('x', FreeTextFormat.MaxStepLength + 1) + "\n\n\\boxed{1}");
        Assert.Equal(["short"], parsed.Steps);
        Assert.Equal(1, parsed.MalformedLines);
        Assert.Equal("1", parsed.Answer);
    }

    [Fact]
    public void TextPastTheLengthLimitIsCutOff()
    {
        string steps = string.Concat(Enumerable.Repeat("a step of text\n\n", SolutionText.MaxTextLength / 16 + 1));
        ParsedSolution answerPastTheLimit = Boxed.ParseCompletion(steps + "\\boxed{1}");
        Assert.Null(answerPastTheLimit.Answer);
        Assert.True(answerPastTheLimit.Truncated);

        // An answer step that runs past the limit may itself have been cut ("#### 1234" of "#### 123456789"): no answer.
        string pastTheLimit = new string('x', SolutionText.MaxTextLength - 10) + "\n#### 123456789";
        Assert.Null(Gsm8k.ParseCompletion(pastTheLimit).Answer);
        Assert.True(Gsm8k.ParseCompletion(pastTheLimit).Truncated);
        Assert.Equal("123456789", Gsm8k.ParseCompletion(pastTheLimit[^20..]).Answer);
    }

    /// <summary>Vote keys: the canonical answer, so answers the verifier calls equal vote together; the line format keeps the text.</summary>
    [Theory]
    [InlineData("1,234", "1234")]
    [InlineData("$1,234.00", "1234")]
    [InlineData("\\frac{3}{4}", "0.75")]
    [InlineData("\\dfrac{2}{6}", "1/3")]
    [InlineData("50\\%", "50")]
    [InlineData("\\text{(B)}", "(B)")]
    [InlineData("$", "")] // nothing left: no vote
    public void TheAnswerKeyIsTheCanonicalAnswer(string answer, string key)
    {
        Assert.Equal(key, Gsm8k.AnswerKey(answer));
        Assert.Equal(key, ((ISolutionFormat)Boxed).AnswerKey(answer));
        Assert.Equal(answer, ((ISolutionFormat)LineSolutionFormat.Instance).AnswerKey(answer));
    }

    [Fact]
    public void AnAnswerTooLongToEqualAnythingHasNoKey()
    {
        string longAnswer = new('7', AnswerEquivalence.MaxAnswerLength + 1);
        Assert.Equal("", Gsm8k.AnswerKey(longAnswer));
        Assert.False(AnswerEquivalence.AreEquivalent(longAnswer, longAnswer));
    }

    [Fact]
    public void GarbageNeverThrowsAndGivesOnlyWellFormedParts()
    {
        const string alphabet = "\\boxed{}#### answer:\n\n\r $x1\u0001\uFFFD\uD800";
        var random = new DeterministicRandom(7);
        foreach (FreeTextFormat format in new[] { Gsm8k, Boxed, Plain })
        {
            for (int i = 0; i < 3000; i++)
            {
                var text = new StringBuilder();
                int length = random.Next(200);
                for (int j = 0; j < length; j++)
                {
                    text.Append(alphabet[random.Next(alphabet.Length)]);
                }

                ParsedSolution parsed = format.ParseCompletion(text.ToString());
                Assert.All(parsed.Steps, s => Assert.False(string.IsNullOrWhiteSpace(s)));
                Assert.All(parsed.Steps, s => Assert.DoesNotContain(format.StepSeparator, s));
                Assert.True(parsed.Answer is null || SolutionText.IsWellFormed(parsed.Answer), parsed.Answer);
                Assert.False(parsed.HasAnswer && parsed.Truncated);
            }
        }
    }
}
