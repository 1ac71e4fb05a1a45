using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Policy.Tokenization;

/// <summary>Special tokens, ids and decoding of the real tokenizers, and BPE on a tiny one.</summary>
public sealed class HfTokenizerTests
{
    private const int QwenEndOfText = 151643, QwenImStart = 151644, QwenImEnd = 151645, QwenThink = 151667;

    [Fact]
    public void MergesApplyTheLowestRankFirst()
    {
        var tokenizer = HfTokenizer.Load(TinyTokenizerFolder.Write());
        Assert.Equal([5], tokenizer.Encode("abc")); // "b c" (rank 0), then "a bc" (rank 2)
        Assert.Equal([3, 3], tokenizer.Encode("abab"));
        Assert.Equal([0, 6, 4], tokenizer.Encode("a bc"));
        Assert.Equal([0, 7, 1], tokenizer.Encode("a<|end|>b"));
        Assert.Empty(tokenizer.Encode(""));
    }

    [Fact]
    public void QwenKnowsItsSizeAndSpecialTokens()
    {
        var qwen = TokenizerAssets.Load(TokenizerAssets.Qwen3);
        Assert.Equal(151669, qwen.VocabularySize);
        Assert.Null(qwen.BeginId);
        Assert.False(qwen.AddsBeginToken);
        Assert.Equal(QwenEndOfText, qwen.PaddingId);
        Assert.Equal([QwenImEnd], qwen.EndIds);
        Assert.Equal(QwenImEnd, qwen.IdOf("<|im_end|>"));
        Assert.Equal("<|im_start|>", qwen.TokenText(QwenImStart));
        Assert.Equal("Ġthe", qwen.TokenText(qwen.IdOf("Ġthe")!.Value));
    }

    [Fact]
    public void QwenInstructEndsOnImEndAndEndOfTextWithItsGenerationConfig()
    {
        string folder = TokenizerAssets.CopyToScratch(TokenizerAssets.Qwen3);
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{ "bos_token_id": 151643, "eos_token_id": [151645, 151643], "pad_token_id": 151643 }""");
        Assert.Equal([QwenEndOfText, QwenImEnd], HfTokenizer.Load(folder).EndIds.Order());
    }

    [Fact]
    public void LlamaTwoAddsItsBeginTokenAndHasNoPadding()
    {
        var llama = TokenizerAssets.Load(TokenizerAssets.Llama2);
        Assert.Equal(1, llama.BeginId);
        Assert.True(llama.AddsBeginToken);
        Assert.Equal([2], llama.EndIds);
        Assert.Null(llama.PaddingId);
        Assert.Equal(32000, llama.VocabularySize);
    }

    [Fact]
    public void LlamaThreeKnowsItsHeaderTokens()
    {
        var llama = TokenizerAssets.Load(TokenizerAssets.Llama3);
        Assert.Equal(128000, llama.BeginId);
        Assert.Equal([128001], llama.EndIds);
        Assert.Equal(128009, llama.IdOf("<|eot_id|>"));
        Assert.Equal(128256, llama.VocabularySize);
        // This early Llama 3 tokenizer.json's post-processor adds no BOS; Meta's later files do (see docs/tokenizers.md).
        Assert.False(llama.AddsBeginToken);
    }

    [Fact]
    public void SpecialTokensWrittenInTextAreSingleTokens()
    {
        var qwen = TokenizerAssets.Load(TokenizerAssets.Qwen3);
        var ids = qwen.Encode("<|im_start|>user\nHi<|im_end|><think>");
        Assert.Equal(QwenImStart, ids[0]);
        Assert.Equal([QwenImEnd, QwenThink], ids.TakeLast(2));
        Assert.DoesNotContain(QwenImStart, qwen.Encode("<|im_start user"));
        Assert.Equal("<|im_start|>user\nHi<|im_end|><think>", qwen.Decode(ids));
    }

    [Fact]
    public void SkippingSpecialTokensKeepsAddedTokensThatAreNotSpecial()
    {
        var qwen = TokenizerAssets.Load(TokenizerAssets.Qwen3);
        var ids = qwen.Encode("<|im_start|>assistant\n<think>\n2+2=4\n</think>\n\n4<|im_end|><|endoftext|>");
        Assert.Equal("assistant\n<think>\n2+2=4\n</think>\n\n4", qwen.Decode(ids, skipSpecialTokens: true));
    }

    [Theory]
    [InlineData(new[] { -1 }, "\uFFFD")]
    [InlineData(new[] { int.MinValue, int.MaxValue }, "\uFFFD\uFFFD")]
    [InlineData(new[] { 151669 }, "\uFFFD")]
    [InlineData(new[] { 40, -7, 40 }, "I\uFFFDI")]
    [InlineData(new int[0], "")]
    public void IdsThatAreNoTokenDecodeToReplacementCharacters(int[] ids, string expected) =>
        Assert.Equal(expected, TokenizerAssets.Load(TokenizerAssets.Qwen3).Decode(ids));

    [Theory]
    [InlineData(TokenizerAssets.Qwen3)]
    [InlineData(TokenizerAssets.Llama3)]
    [InlineData(TokenizerAssets.Llama2)]
    public void DecodingRandomIdsNeverThrows(string model)
    {
        var tokenizer = TokenizerAssets.Load(model);
        var random = new Random(17);
        for (int i = 0; i < 500; i++)
        {
            int[] ids = Enumerable.Range(0, random.Next(1, 40))
                .Select(_ => random.Next(4) == 0 ? random.Next(int.MinValue, int.MaxValue) : random.Next(-2, tokenizer.VocabularySize + 2))
                .ToArray();
            Assert.NotNull(tokenizer.Decode(ids));
            Assert.NotNull(tokenizer.Decode(ids, skipSpecialTokens: true));
        }
    }

    [Theory]
    [InlineData(TokenizerAssets.Qwen3)]
    [InlineData(TokenizerAssets.Llama3)]
    [InlineData(TokenizerAssets.Llama2)]
    public void ACharacterCutBetweenTokensDecodesToReplacementCharacters(string model)
    {
        var tokenizer = TokenizerAssets.Load(model);
        const string rare = "\U00020000"; // 𠀀, CJK Extension B: four UTF-8 bytes, no single token
        var ids = tokenizer.Encode(rare);
        Assert.True(ids.Count > 1, $"{model} encodes {rare} as {ids.Count} token");
        Assert.Equal(rare, tokenizer.Decode(ids));
        int replaced = 0;
        for (int cut = 1; cut < ids.Count; cut++)
        {
            string halves = tokenizer.Decode(ids.Take(cut)) + tokenizer.Decode(ids.Skip(cut));
            // Llama 2 starts with a "▁" token, so its first cut leaves the character whole.
            Assert.True(halves == rare || halves.All(c => c is '\uFFFD' or ' '), $"cut {cut}: \"{halves}\"");
            replaced += halves.Count(c => c == '\uFFFD');
        }

        Assert.True(replaced > 0);
    }

    [Fact]
    public void LlamaTwoDecodesEachInvalidFallbackByteToOneReplacementCharacter()
    {
        var llama = TokenizerAssets.Load(TokenizerAssets.Llama2);
        int[] bytes = new[] { "<0xF0>", "<0xA0>", "<0x80>", "<0x80>" }.Select(t => llama.IdOf(t)!.Value).ToArray();
        Assert.Equal("\U00020000", llama.Decode(bytes));
        Assert.Equal("\uFFFD\uFFFD", llama.Decode(bytes[..2]));
        Assert.Equal("\uFFFDa", llama.Decode([bytes[0], llama.IdOf("a")!.Value]));
    }

    [Theory]
    [InlineData(TokenizerAssets.Qwen3)]
    [InlineData(TokenizerAssets.Llama3)]
    [InlineData(TokenizerAssets.Llama2)]
    public void ALoneSurrogateIsEncodedAsAReplacementCharacter(string model)
    {
        var tokenizer = TokenizerAssets.Load(model);
        Assert.Equal("a\uFFFDb\u0301", tokenizer.Decode(tokenizer.Encode("a\uD800b\u0301")));
    }

    [Fact]
    public void TokenTextAndIdOfAreEachOthersInverse()
    {
        var qwen = TokenizerAssets.Load(TokenizerAssets.Qwen3);
        foreach (int id in new[] { 0, 220, 198, 151642, QwenEndOfText, QwenThink, 151668 })
        {
            Assert.Equal(id, qwen.IdOf(qwen.TokenText(id)!));
        }

        Assert.Null(qwen.TokenText(-1));
        Assert.Null(qwen.TokenText(qwen.VocabularySize));
        Assert.Null(qwen.IdOf("no such token"));
    }
}
