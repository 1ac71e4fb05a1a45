using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Policy;

public sealed class CharTokenizerTests
{
    private readonly CharTokenizer _tokenizer = new("0123456789+-*=() answer:");

    [Fact]
    public void LineEndsBecomeEndOfStepOrEndOfAnswer()
    {
        List<int> ids = _tokenizer.Encode("1+2\n1+2=3\nanswer: 3\n");
        Assert.Equal(CharTokenizer.EndOfStep, ids[3]);
        Assert.Equal(CharTokenizer.EndOfStep, ids[9]);
        Assert.Equal(CharTokenizer.EndOfAnswer, ids[^1]);
        Assert.Equal(2, ids.Count(i => i == CharTokenizer.EndOfStep));
    }

    [Fact]
    public void DecodingGivesTheTextBack()
    {
        const string text = "(3+4)*5-6\n3+4=7\nanswer: 29\n";
        Assert.Equal(text, _tokenizer.Decode(_tokenizer.Encode(text)));
        Assert.Equal(text[..10], _tokenizer.Decode(_tokenizer.EncodePrompt("(3+4)*5-6")));
    }

    [Fact]
    public void TheVocabularyIsSpecialsThenSortedCharacters()
    {
        Assert.Equal(4 + _tokenizer.Characters.Length, _tokenizer.VocabularySize);
        Assert.Equal(_tokenizer.Characters.Order().ToArray(), _tokenizer.Characters.ToCharArray());
        Assert.Equal(_tokenizer.Characters.Length, _tokenizer.Characters.Distinct().Count());
    }

    [Fact]
    public void AnUnknownCharacterIsNamedWithItsPosition()
    {
        var error = Assert.Throws<ArgumentException>(() => _tokenizer.Encode("1+x"));
        Assert.StartsWith("the tokenizer cannot encode 'x' (U+0078) at position 2 of \"1+x\"", error.Message);
        var control = Assert.Throws<ArgumentException>(() => _tokenizer.Encode("1\t"));
        Assert.Contains("U+0009 at position 1", control.Message);
    }

    [Fact]
    public void UnknownIdsDecodeToAReplacementCharacterWithoutThrowing() =>
        Assert.Equal("1\uFFFD", _tokenizer.Decode([CharTokenizer.Begin, _tokenizer.Encode("1")[0], 9999, CharTokenizer.Padding]));
}
