using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Policy.Tokenization;

/// <summary>A pretrained tokenizer's prompt, end of completion and stop rule, on the project's byte tokenizer (id = byte; 256 &lt;|endoftext|&gt;, 257 &lt;|im_start|&gt;, 258 &lt;|im_end|&gt;).</summary>
public sealed class PretrainedTokenizerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("byte-tokenizer-").FullName;

    public PretrainedTokenizerTests() => ByteTokenizerFiles.Write(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private PretrainedTokenizer Tokenizer(string separator = "\n\n", PromptFormat? prompt = null) =>
        new(HfTokenizer.Load(_folder), prompt ?? PromptFormat.ChatMl(), separator, _folder);

    [Fact]
    public void AChatMlPromptIsItsSpecialTokensAndTheBytesBetweenThem()
    {
        // <|im_start|> "user\n" "hi" <|im_end|> "\n" <|im_start|> "assistant\n"
        int[] expected = [257, 117, 115, 101, 114, 10, 104, 105, 258, 10, 257, 97, 115, 115, 105, 115, 116, 97, 110, 116, 10];
        Assert.Equal(expected, Tokenizer().EncodePrompt("hi"));
        Assert.Equal([104, 105], Tokenizer(prompt: PromptFormat.Plain).EncodePrompt("hi"));
    }

    [Fact]
    public void AFinishedSolutionEndsWithTheConfiguredEndOfSequence()
    {
        PretrainedTokenizer tokenizer = Tokenizer();
        Assert.Equal([258], tokenizer.EndOfCompletion);
        Assert.Equal("7\n\n", tokenizer.Decode([55, 10, 10, 258]));
    }

    [Theory]
    [InlineData(new[] { 97, 98 }, TokenStop.None)]
    [InlineData(new[] { 97, 98, 10 }, TokenStop.None)]
    [InlineData(new[] { 97, 98, 10, 10 }, TokenStop.EndOfStep)]     // the newest token completes "\n\n"
    [InlineData(new[] { 10, 10 }, TokenStop.None)]                  // leading blank lines are not a step
    [InlineData(new[] { 10, 10, 97, 10, 10 }, TokenStop.EndOfStep)]
    [InlineData(new[] { 97, 10, 10, 98 }, TokenStop.None)]          // past the separator (the sampler stopped before)
    [InlineData(new[] { 97, 258 }, TokenStop.EndOfAnswer)]
    [InlineData(new[] { 97, 256 }, TokenStop.EndOfAnswer)]          // generation_config lists <|endoftext|> too
    [InlineData(new[] { 97, 5000 }, TokenStop.None)]                // an id the tokenizer does not know
    public void AStepEndsWhenItsNewestTokenCompletesTheSeparator(int[] generated, TokenStop expected) =>
        Assert.Equal(expected, Tokenizer().StopAfter(generated));

    [Fact]
    public void WithTheLineSeparatorEveryNewlineAfterTextEndsAStep()
    {
        PretrainedTokenizer lines = Tokenizer("\n");
        Assert.Equal(TokenStop.EndOfStep, lines.StopAfter([97, 10]));
        Assert.Equal(TokenStop.None, lines.StopAfter([10]));
    }

    [Fact]
    public void ATokenizerWithoutAnEndOfSequenceIsRefused()
    {
        File.WriteAllText(Path.Combine(_folder, HfTokenizer.ConfigFileName), "{\"eos_token\": null}");
        File.Delete(Path.Combine(_folder, HfTokenizer.GenerationConfigFileName));
        var error = Assert.Throws<ArgumentException>(() => Tokenizer());
        Assert.Contains("names no end-of-sequence token", error.Message);
    }
}
