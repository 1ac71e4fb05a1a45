using System.Text.Json.Nodes;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Policy.Tokenization;

/// <summary>What <see cref="HfTokenizer.Load"/> reads from the three files, and how it says what is wrong with them.</summary>
public sealed class HfTokenizerLoadingTests
{
    [Fact]
    public void AMissingFolderIsNamed()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"no-such-tokenizer-{Guid.NewGuid():N}");
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.Equal(folder, error.FilePath);
        Assert.Contains("folder not found", error.Message);
    }

    [Fact]
    public void AMissingTokenizerJsonIsNamed()
    {
        string folder = Directory.CreateTempSubdirectory("reasoning-empty-tokenizer-").FullName;
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.Equal(Path.Combine(folder, "tokenizer.json"), error.FilePath);
        Assert.Equal($"{Path.Combine(folder, "tokenizer.json")}: file not found", error.Message);
    }

    [Theory]
    [InlineData("tokenizer.json")]
    [InlineData("tokenizer_config.json")]
    [InlineData("generation_config.json")]
    public void MalformedJsonNamesTheFile(string fileName)
    {
        string folder = TinyTokenizerFolder.Write();
        File.WriteAllText(Path.Combine(folder, fileName), "{ \"model\": { \"type\": \"BPE\", ");
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.StartsWith($"{Path.Combine(folder, fileName)}: not valid JSON", error.Message);
    }

    [Theory]
    [InlineData("Unigram")]
    [InlineData("WordPiece")]
    [InlineData("WordLevel")]
    public void AnUnsupportedModelTypeIsRefusedByKeyAndValue(string type)
    {
        string folder = TinyTokenizerFolder.Write(json => json["model"]!["type"] = type);
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.Equal($"{Path.Combine(folder, "tokenizer.json")}: model.type '{type}' is not supported (this tokenizer implements BPE only)", error.Message);
    }

    [Fact]
    public void AnUnsupportedNormalizerIsRefusedByKeyAndValue()
    {
        string folder = TinyTokenizerFolder.Write(json => json["normalizer"] = JsonNode.Parse("""{ "type": "NFKC" }"""));
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.Contains("tokenizer.json: normalizer.type 'NFKC' is not supported", error.Message);
    }

    [Fact]
    public void AnUnsupportedStepInsideASequenceIsNamedByItsPosition()
    {
        string folder = TinyTokenizerFolder.Write(json => json["pre_tokenizer"] = JsonNode.Parse(
            """{ "type": "Sequence", "pretokenizers": [ { "type": "ByteLevel" }, { "type": "Metaspace", "replacement": "▁" } ] }"""));
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.Contains("tokenizer.json: pre_tokenizer.pretokenizers[1].type 'Metaspace' is not supported", error.Message);
    }

    [Fact]
    public void AMissingVocabularyIsNamed()
    {
        string folder = TinyTokenizerFolder.Write(json => json["model"]!.AsObject().Remove("vocab"));
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.EndsWith("tokenizer.json: model.vocab is missing", error.Message);
    }

    [Fact]
    public void AMergeOfUnknownTokensIsNamed()
    {
        string folder = TinyTokenizerFolder.Write(json => json["model"]!["merges"]!.AsArray().Add("c z"));
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.Contains("tokenizer.json: model.merges merge 3 ('z') names a token that is not in the vocabulary", error.Message);
    }

    [Fact]
    public void AnEndTokenOutsideTheVocabularyNamesTheConfigKey()
    {
        string folder = TinyTokenizerFolder.Write(config: """{ "eos_token": "<nope>" }""");
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.Equal($"{Path.Combine(folder, "tokenizer_config.json")}: eos_token '<nope>' is not a token of tokenizer.json", error.Message);
    }

    [Fact]
    public void GenerationEndIdsMustBeIntegers()
    {
        string folder = TinyTokenizerFolder.Write(generationConfig: """{ "eos_token_id": [7, "8"] }""");
        var error = Assert.Throws<HfTokenizerException>(() => HfTokenizer.Load(folder));
        Assert.Equal($"{Path.Combine(folder, "generation_config.json")}: eos_token_id[1] must be a non-negative integer, found a string", error.Message);
    }

    [Fact]
    public void WithoutConfigFilesThereIsNoBeginEndOrPaddingToken()
    {
        var tokenizer = HfTokenizer.Load(TinyTokenizerFolder.Write());
        Assert.Null(tokenizer.BeginId);
        Assert.Null(tokenizer.PaddingId);
        Assert.Empty(tokenizer.EndIds);
        Assert.False(tokenizer.AddsBeginToken);
        Assert.Equal(9, tokenizer.VocabularySize);
    }

    [Fact]
    public void SpecialTokensComeFromTheConfigAsStringsOrObjects()
    {
        var tokenizer = HfTokenizer.Load(TinyTokenizerFolder.Write(
            config: """{ "bos_token": { "content": "<s>", "__type": "AddedToken" }, "eos_token": "<|end|>", "pad_token": null }"""));
        Assert.Equal(8, tokenizer.BeginId);
        Assert.Equal([7], tokenizer.EndIds.Order());
        Assert.Null(tokenizer.PaddingId);
    }

    [Theory]
    [InlineData("7", new[] { 7 })]
    [InlineData("[7, 0]", new[] { 0, 7 })]
    public void GenerationConfigEndIdsJoinTheConfigEndToken(string eosTokenId, int[] expected)
    {
        var tokenizer = HfTokenizer.Load(TinyTokenizerFolder.Write(
            config: """{ "eos_token": "<|end|>" }""", generationConfig: $$"""{ "eos_token_id": {{eosTokenId}} }"""));
        Assert.Equal(expected, tokenizer.EndIds.Order());
    }

    [Theory]
    [InlineData("""{ "bos_token": "<s>" }""", true)]
    [InlineData("""{ "bos_token": "<s>", "add_bos_token": false }""", false)]
    [InlineData("""{ "bos_token": "<|end|>" }""", false)]
    public void AddsBeginTokenFollowsTheConfigFlagElseThePostProcessorTemplate(string config, bool expected) =>
        Assert.Equal(expected, HfTokenizer.Load(TinyTokenizerFolder.Write(config: config)).AddsBeginToken);

    [Fact]
    public void AddedTokensOnlyInTheConfigAreAddedToo()
    {
        var tokenizer = HfTokenizer.Load(TinyTokenizerFolder.Write(
            config: """{ "added_tokens_decoder": { "9": { "content": "<pad>", "special": true, "normalized": false } } }"""));
        Assert.Equal(9, tokenizer.IdOf("<pad>"));
        Assert.Equal(10, tokenizer.VocabularySize);
        Assert.Equal([0, 9, 1], tokenizer.Encode("a<pad>b"));
    }
}
