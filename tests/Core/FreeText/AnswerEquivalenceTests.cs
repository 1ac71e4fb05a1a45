using Reasoning.Core.Solutions.FreeText;

namespace Reasoning.Tests.Core.FreeText;

public sealed class AnswerEquivalenceTests
{
    [Theory]
    // Thousands separators, trailing zeros, currency, trailing punctuation, signs.
    [InlineData("1,234", "1234", true)]
    [InlineData("1,234,567", "1234567", true)]
    [InlineData("1{,}234", "1234", true)]
    [InlineData("1234.00", "1234", true)]
    [InlineData("1234.0", "1,234", true)]
    [InlineData("7.", "7", true)]
    [InlineData("$18", "18", true)]
    [InlineData(@"\$18.50", "18.5", true)]
    [InlineData("18!", "18", true)]
    [InlineData("+5", "5", true)]
    [InlineData("\u22125", "-5", true)]
    [InlineData("-5", "5", false)]
    [InlineData("0", "-0", true)]
    [InlineData("007", "7", true)]
    [InlineData(".5", "0.5", true)]
    [InlineData("1,2", "12", false)]
    [InlineData("12,34", "1234", false)]
    [InlineData("1e3", "1000", false)]
    // Fractions are exact rationals.
    [InlineData("3/4", "0.75", true)]
    [InlineData(@"\frac{3}{4}", "0.75", true)]
    [InlineData(@"\dfrac{3}{4}", "3/4", true)]
    [InlineData(@"\tfrac34", "0.75", true)]
    [InlineData(@"\frac12", "0.5", true)]
    [InlineData(@"\frac{2}{4}", @"\frac{1}{2}", true)]
    [InlineData(@"-\frac{1}{2}", "-0.5", true)]
    [InlineData(@"\frac{-1}{2}", "-1/2", true)]
    [InlineData("0.333", "1/3", false)]
    [InlineData("1/3", "2/6", true)]
    [InlineData(@"\frac{1}{0}", "0", false)]
    // Percent signs go; a percentage is its number.
    [InlineData("50%", "50", true)]
    [InlineData(@"50\%", "50", true)]
    [InlineData("50%", "0.5", false)]
    // Degrees, \text{}, \left and \right, spacing, white space.
    [InlineData(@"720^\circ", "720", true)]
    [InlineData(@"720^{\circ}", "720", true)]
    [InlineData("90°", "90", true)]
    [InlineData(@"\text{Monday}", "Monday", true)]
    [InlineData(@"\textbf{(B)}", "(B)", true)]
    [InlineData(@"5\text{ cm}", "5 cm", true)]
    [InlineData(@"5\text{ cm}", "5", false)]
    [InlineData(@"\left(3, -4\right)", "(3,-4)", true)]
    [InlineData(@"\left[ 1, 2 \right)", "[1,2)", true)]
    [InlineData(@"x \rightarrow y", @"x\rightarrow y", true)]
    [InlineData(@"6\sqrt{2}", @"6 \sqrt{2}", true)]
    [InlineData(@"6\!\sqrt{2}", @"6\,\sqrt{2}", true)]
    [InlineData(@"\dfrac{\pi}{2}", @"\frac{\pi}{2}", true)]
    [InlineData(@"\frac{\sqrt{3}}{2}", @"\dfrac{\sqrt{3}}{2}", true)]
    [InlineData("2, 3", "2,3", true)]
    [InlineData("x", "X", false)]
    [InlineData("Monday", "Tuesday", false)]
    // No answer equals nothing.
    [InlineData("", "", false)]
    [InlineData("  ", "  ", false)]
    [InlineData("$", "%", false)]
    [InlineData(null, "5", false)]
    [InlineData("5", null, false)]
    [InlineData(null, null, false)]
    public void AnswersAreEqualWhenTheirNumbersOrNormalisedTextsAre(string? reference, string? given, bool expected)
    {
        Assert.Equal(expected, AnswerEquivalence.AreEquivalent(reference, given));
        Assert.Equal(expected, AnswerEquivalence.AreEquivalent(given, reference));
    }

    [Theory]
    [InlineData("1,234.00", "1234")]
    [InlineData(@"\frac{3}{4}", "0.75")]
    [InlineData(@"\frac{2}{6}", "1/3")]
    [InlineData(@"-\frac{4}{8}", "-0.5")]
    [InlineData("10/4", "2.5")]
    [InlineData("1/8", "0.125")]
    [InlineData("-0", "0")]
    [InlineData("$18.50", "18.5")]
    [InlineData("12.5%", "12.5")]
    [InlineData(@"\text{(A)}", "(A)")]
    [InlineData(@"\left( 3, -4 \right)", "(3,-4)")]
    [InlineData(@"720^\circ", "720")]
    [InlineData("1e3", "1e3")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void CanonicalWritesNumbersAsShortDecimalsOrFractions(string? answer, string expected) =>
        Assert.Equal(expected, AnswerEquivalence.Canonical(answer));

    [Theory]
    [InlineData("1,234")]
    [InlineData(@"\dfrac{1}{3}")]
    [InlineData(@"\left(3, -4\right)")]
    [InlineData(@"50\%")]
    public void AnAnswerEqualsItsCanonicalForm(string answer) =>
        Assert.True(AnswerEquivalence.AreEquivalent(answer, AnswerEquivalence.Canonical(answer)));

    [Fact]
    public void NumbersTooLongToReadAreComparedAsText()
    {
        string many = new('9', 150);
        Assert.True(AnswerEquivalence.AreEquivalent(many, many));
        Assert.False(AnswerEquivalence.AreEquivalent(many, many + ".0"));
        Assert.Equal(many, AnswerEquivalence.Canonical(many));
    }

    [Fact]
    public void AnswersLongerThanTheLimitEqualNothing()
    {
        string huge = new('7', AnswerEquivalence.MaxAnswerLength + 1);
        Assert.False(AnswerEquivalence.AreEquivalent(huge, huge));
    }

    [Fact]
    public void NormalisingHostileTextNeverThrows()
    {
        string[] texts =
        [
            @"\", @"\\", "{", "}", "}}}{{{", @"\text{", @"\text", @"\text{\text{\text{x", @"^\circ", "^", @"\frac", @"\frac{", @"\frac{1}",
            @"\frac{1}{", @"\frac{}{}", "-", "--5", "+", "/", "1/", "/1", "1//2", ".", ",", "\uD800", "\uDC00x", new string('{', 100_000),
            string.Concat(Enumerable.Repeat(@"\text{a}", 20_000)),
        ];
        foreach (string text in texts)
        {
            _ = AnswerEquivalence.Normalize(text);
            _ = AnswerEquivalence.Canonical(text);
            _ = AnswerEquivalence.AreEquivalent(text, text);
        }

        Assert.Equal("}}}{{{", AnswerEquivalence.Normalize("}}}{{{"));
        Assert.Equal("x", AnswerEquivalence.Normalize(@"\text{\text{\text{x"));
    }
}
