using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Policy.Tokenization;

/// <summary>NFC and NFD against hand-checked cases (UAX #15's examples and the corpus's edge cases).</summary>
public sealed class UnicodeNormalizationTests
{
    [Theory]
    [InlineData("plain ASCII", "plain ASCII")]
    [InlineData("a\u0308", "\u00e4")] // a + diaeresis composes
    [InlineData("\u1e0b\u0323", "\u1e0d\u0307")] // ḋ + dot below: reordered, then d + dot below composes
    [InlineData("q\u0307\u0323", "q\u0323\u0307")] // no composite: marks only reordered by combining class
    [InlineData("\u212b", "\u00c5")] // Angstrom sign, a singleton, becomes Å
    [InlineData("\u2126", "\u03a9")] // Ohm sign becomes Omega
    [InlineData("\u0958", "\u0915\u093c")] // a composition exclusion stays decomposed
    [InlineData("\u1100\u1161\u11a8", "\uac01")] // conjoining jamo compose to a Hangul syllable
    [InlineData("\u0301e", "\u0301e")] // a leading mark has nothing to compose with
    [InlineData("e\u0301\u0301", "\u00e9\u0301")] // the second acute is blocked
    [InlineData("\U0001d15e", "\U0001d157\U0001d165")] // musical half note: excluded, decomposed outside the BMP
    public void NfcComposesCanonically(string text, string expected) => Assert.Equal(expected, UnicodeNormalization.ToNfc(text));

    [Theory]
    [InlineData("\u00e4", "a\u0308")]
    [InlineData("\uac01", "\u1100\u1161\u11a8")]
    [InlineData("\u1e0d\u0307", "d\u0323\u0307")]
    public void NfdDecomposesCanonically(string text, string expected) => Assert.Equal(expected, UnicodeNormalization.ToNfd(text));
}
