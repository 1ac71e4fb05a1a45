using System.Diagnostics;
using System.Text;
using Reasoning.Core.Solutions.FreeText;

namespace Reasoning.Tests.Core.FreeText;

public sealed class AnswerExtractionTests
{
    [Theory]
    // GSM8K: the answer after the last "####", up to the end of its line.
    [InlineData(AnswerFormat.Gsm8k, "She sold 48 + 24 = 72 clips.\n#### 72", "72")]
    [InlineData(AnswerFormat.Gsm8k, "#### 1,234", "1,234")]
    [InlineData(AnswerFormat.Gsm8k, "first\n#### 5\nthen\n#### 6", "6")]
    [InlineData(AnswerFormat.Gsm8k, "#### 42\nand a line after it", "42")]
    [InlineData(AnswerFormat.Gsm8k, "#### 42\r\n", "42")]
    [InlineData(AnswerFormat.Gsm8k, "####-3", "-3")]
    [InlineData(AnswerFormat.Gsm8k, "####   $18.00.  ", "$18.00.")]
    [InlineData(AnswerFormat.Gsm8k, "#### ", null)]
    [InlineData(AnswerFormat.Gsm8k, "####", null)]
    [InlineData(AnswerFormat.Gsm8k, "so 7\n#### \nmore", null)]
    [InlineData(AnswerFormat.Gsm8k, "### 7", null)]
    [InlineData(AnswerFormat.Gsm8k, "no mark at all", null)]
    [InlineData(AnswerFormat.Gsm8k, "", null)]
    // MATH: the last \boxed{} (or \fbox{}), nested braces balanced.
    [InlineData(AnswerFormat.Boxed, @"So the answer is $\boxed{5}$.", "5")]
    [InlineData(AnswerFormat.Boxed, @"$\boxed{\frac{1}{2}}$", @"\frac{1}{2}")]
    [InlineData(AnswerFormat.Boxed, @"\boxed{\sqrt{\frac{a}{b}}}", @"\sqrt{\frac{a}{b}}")]
    [InlineData(AnswerFormat.Boxed, @"first \boxed{1}, then \boxed{2}", "2")]
    [InlineData(AnswerFormat.Boxed, @"$\boxed 5$", "5")]
    [InlineData(AnswerFormat.Boxed, @"\boxed 5", "5")]
    [InlineData(AnswerFormat.Boxed, @"\boxed {7}", "7")]
    [InlineData(AnswerFormat.Boxed, @"\fbox{7}", "7")]
    [InlineData(AnswerFormat.Boxed, @"\boxed{a} and \fbox{b}", "b")]
    [InlineData(AnswerFormat.Boxed, @"\boxed{ 2, 3 }", "2, 3")]
    [InlineData(AnswerFormat.Boxed, @"\boxed{\{1, 2\}}", @"\{1, 2\}")]
    [InlineData(AnswerFormat.Boxed, @"\boxed{3} then \boxedfoo", "3")]
    [InlineData(AnswerFormat.Boxed, @"\boxed{\frac{1}{2}", null)]
    [InlineData(AnswerFormat.Boxed, @"\boxed{3} and at last \boxed{4", null)]
    [InlineData(AnswerFormat.Boxed, @"\boxed{}", null)]
    [InlineData(AnswerFormat.Boxed, @"\boxed{   }", null)]
    [InlineData(AnswerFormat.Boxed, @"cut right after \boxed", null)]
    [InlineData(AnswerFormat.Boxed, @"\boxedx{3}", null)]
    [InlineData(AnswerFormat.Boxed, "boxed{3}", null)]
    [InlineData(AnswerFormat.Boxed, "", null)]
    // Plain: the last non-empty line.
    [InlineData(AnswerFormat.Plain, "42", "42")]
    [InlineData(AnswerFormat.Plain, "  \n 7 \n\n", "7")]
    [InlineData(AnswerFormat.Plain, "line one\r\nline two", "line two")]
    [InlineData(AnswerFormat.Plain, @"\frac{1}{2}", @"\frac{1}{2}")]
    [InlineData(AnswerFormat.Plain, " \t\n ", null)]
    [InlineData(AnswerFormat.Plain, "", null)]
    public void ExtractFindsTheAnswerOrNone(AnswerFormat format, string text, string? expected) =>
        Assert.Equal(expected, format.Extract(text));

    [Theory]
    [InlineData(AnswerFormat.Gsm8k)]
    [InlineData(AnswerFormat.Boxed)]
    [InlineData(AnswerFormat.Plain)]
    public void NoTextHasNoAnswer(AnswerFormat format) => Assert.Null(format.Extract(null));

    [Fact]
    public void AnUnknownFormatFindsNothing() => Assert.Null(((AnswerFormat)99).Extract("#### 5"));

    [Fact]
    public void HugeAndHostileTextsAreReadQuicklyWithoutThrowing()
    {
        string[] texts =
        [
            Repeat(@"\boxed{", 200_000),
            Repeat(@"\boxedx", 200_000) + @"\fbox{1}" + Repeat(@"\boxedy", 200_000),
            Repeat("{", 500_000) + @"\boxed{" + Repeat("{", 500_000),
            @"\boxed{" + Repeat("{}", 500_000) + "}",
            Repeat("#", 1_000_000),
            Repeat("#### \n", 200_000),
            Repeat("\n", 1_000_000),
            new string('\0', 1_000_000),
        ];
        var clock = Stopwatch.StartNew();
        foreach (string text in texts)
        {
            foreach (AnswerFormat format in Enum.GetValues<AnswerFormat>())
            {
                _ = format.Extract(text);
            }
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal("1", AnswerFormat.Boxed.Extract(texts[1]));
        Assert.Null(AnswerFormat.Boxed.Extract(texts[2]));
        Assert.Equal(Repeat("{}", 500_000), AnswerFormat.Boxed.Extract(texts[3]));
    }

    private static string Repeat(string text, int times) => new StringBuilder(text.Length * times).Insert(0, text, times).ToString();
}
