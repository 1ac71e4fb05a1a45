using Reasoning.Experiments.Bench;
using Reasoning.Experiments.Cli;

namespace Reasoning.Tests.Experiments.Bench;

/// <summary><c>bench policy --shape</c>: its options, and the table's rates, ratios and verdicts worked by hand.</summary>
public sealed class PretrainedBenchTests
{
    [Theory]
    [InlineData("--shape", "qwen7")]
    [InlineData("--shape", "tiny-qwen2")]
    public void AnUnknownOrTinyShapeIsRefusedBeforeAnythingRuns(string option, string value) =>
        Assert.Equal(2, CommandLine.Build().Parse(["bench", "policy", option, value, "--no-peer"]).Invoke());

    [Fact]
    public void PresetAndShapeExcludeEachOtherAndPrecisionIsChecked()
    {
        Assert.Equal(2, CommandLine.Build().Parse(["bench", "policy", "--shape", "qwen2.5-0.5b", "--preset", "small", "--no-peer"]).Invoke());
        Assert.Equal(2, CommandLine.Build().Parse(["bench", "policy", "--shape", "qwen2.5-0.5b", "--precision", "fp16", "--no-peer"]).Invoke());
        Assert.Equal(["qwen2.5-0.5b", "qwen3-0.6b", "llama3.2-1b"], BenchPolicyCommand.Shapes);
    }

    [Fact]
    public void TheBatchMixesPromptLengthsSpreadEvenlyOverTheRange()
    {
        // 16 lengths from 32 to 256: 32 + round(i · 224 / 15) for i = 0..15, in a seeded order.
        int[] lengths = new PretrainedBenchSettings().PromptLengths();
        Assert.Equal(
            [32, 47, 62, 77, 92, 107, 122, 137, 151, 166, 181, 196, 211, 226, 241, 256],
            lengths.Order());
        Assert.NotEqual(lengths.Order(), lengths);
        Assert.Equal(lengths, new PretrainedBenchSettings().PromptLengths());
        Assert.Equal(2304, lengths.Sum());
    }

    /// <summary>
    /// Worked by hand: a batch of 4 prompts holding 1,000 tokens, 11 new tokens each. C#: prefill 2 s → 500 tokens/s;
    /// batch decode 4 s for 4 × 10 tokens → 10 tokens/s; batch-1 decode 5 s for 10 tokens → 2 tokens/s; peak 300 MB.
    /// Peer: prefill 4 s → 250 (C# 2.00x, met); batch decode 2 s → 20 (0.50x, not met); batch-1 decode 5 s → 2 (1.00x,
    /// met); peak 200 MB (1.50x, above 1.2x: not met). Medians of three calls, the middle being the figure above.
    /// </summary>
    [Fact]
    public void RatesRatiosAndVerdictsFollowTheMediansOfTheCalls()
    {
        int[][] rows = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 9]];
        var mine = new PretrainedStackFigures(1.5, 400L << 20, 300L << 20, [9, 2, 1], [4, 3, 8], [5, 6, 1], rows[..4], rows[4..]);
        var peer = new PretrainedStackFigures(3.0, 500L << 20, 200L << 20, [4, 4, 4], [2, 1, 3], [5, 5, 5], rows[..4], [[9, 1]]);
        var workload = new PretrainedWorkload("qwen2.5-0.5b", "Qwen2", 494_032_768, 1L << 30, Batch: 4, PromptTokens: 1000, PaddedLength: 400,
            ShortestPrompt: 100, LongestPrompt: 400, SinglePromptLength: 128, NewTokens: 11);
        var precision = new PrecisionFigures("bf16", mine, peer);
        var report = new PretrainedBenchReport(
            "machine", "0 0 0", "0 0 0", "cmd", new PretrainedBenchSettings(), workload, "C# (TorchSharp)", "c#", "PyTorch eager (peer)", "peer", null,
            [precision], []);

        Assert.Equal(500, mine.PrefillTokensPerSecond(workload), 9);
        Assert.Equal(10, mine.BatchDecodeTokensPerSecond(workload), 9);
        Assert.Equal(2, mine.SingleDecodeTokensPerSecond(workload), 9);
        Assert.Equal((5, 4, 5), (precision.Rows, precision.RowsAgreeing!.Value, precision.FirstTokensAgreeing!.Value));

        string[] lines = PretrainedBenchTable.Render(report).Split(Environment.NewLine);
        Assert.Contains(lines, l => l.StartsWith("| bf16 prefill, batch 4:") && l.EndsWith("| 500 | 250 | 2.00x | ≥ 1.0x peer | yes |"));
        Assert.Contains(lines, l => l.StartsWith("| bf16 decode, batch 4:") && l.EndsWith("| 10 | 20 | 0.50x | ≥ 1.0x peer | **no** |"));
        Assert.Contains(lines, l => l.StartsWith("| bf16 decode, batch 1:") && l.EndsWith("| 2 | 2 | 1.00x | ≥ 1.0x peer | yes |"));
        Assert.Contains(lines, l => l.StartsWith("| bf16 peak resident set") && l.EndsWith("| 300 | 200 | 1.50x | ≤ 1.2x peer | **no** |"));
        Assert.Contains(lines, l => l.StartsWith("| bf16 greedy tokens") && l.Contains("| 5 / 4 of 5 |"));
    }
}
