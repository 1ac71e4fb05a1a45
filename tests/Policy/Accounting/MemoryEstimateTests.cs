using Reasoning.Policy.Accounting;
using Reasoning.Policy.Model;

namespace Reasoning.Tests.Policy.Accounting;

/// <summary>The worked examples of <see cref="MemoryEstimate"/>'s documentation, number for number.</summary>
public sealed class MemoryEstimateTests
{
    /// <summary>Llama-2-7B's shape (Touvron et al. 2023).</summary>
    private static readonly TransformerConfig Llama7B = new(
        VocabularySize: 32_000, Dimension: 4096, Layers: 32, Heads: 32, KvHeads: 32, HiddenDimension: 11_008,
        MaxSequenceLength: 4096, TiedEmbeddings: false);

    private static readonly TransformerConfig Tiny = TransformerConfig.Tiny(32);

    [Fact]
    public void TheExampleShapesHaveTheirKnownParameterCounts()
    {
        Assert.Equal(1_009_024, Tiny.ParameterCount);
        Assert.Equal(6_738_415_616, Llama7B.ParameterCount); // Llama-2-7B's published count
    }

    [Fact]
    public void TinyInferenceWorkedExample()
    {
        MemoryBreakdown estimate = MemoryEstimate.Inference(Tiny, batch: 8, sequenceLength: 256, bytesPerParameter: 4);

        Assert.Equal(new MemoryBreakdown(Weights: 4_036_096, Gradients: 0, OptimizerState: 0, Activations: 6_815_744, KvCache: 10_485_760), estimate);
        Assert.Equal(21_337_600, estimate.Total);
    }

    [Fact]
    public void TinyTrainingWorkedExample()
    {
        MemoryBreakdown estimate = MemoryEstimate.Training(Tiny, batch: 8, sequenceLength: 256, bytesPerParameter: 4, OptimizerKind.AdamW);

        Assert.Equal(new MemoryBreakdown(Weights: 4_036_096, Gradients: 4_036_096, OptimizerState: 8_072_192, Activations: 128_188_416, KvCache: 0), estimate);
        Assert.Equal(144_332_800, estimate.Total);
        Assert.Equal(25_165_824, MemoryEstimate.LayerActivationBytes(256, 8, 128, 4, 4, dropout: false));
    }

    [Fact]
    public void AFrozenReferenceCopyDoublesTheWeightsOnly()
    {
        MemoryBreakdown plain = MemoryEstimate.Training(Tiny, 8, 256, 4, OptimizerKind.AdamW);
        MemoryBreakdown grpo = MemoryEstimate.Training(Tiny, 8, 256, 4, OptimizerKind.AdamW, trainableCopyPlusFrozenReference: true);

        Assert.Equal(plain with { Weights = 2 * plain.Weights }, grpo);
        Assert.Equal(148_368_896, grpo.Total);
    }

    [Fact]
    public void Llama7BInferenceWorkedExample()
    {
        MemoryBreakdown estimate = MemoryEstimate.Inference(Llama7B, batch: 1, sequenceLength: 4096, bytesPerParameter: 2);

        Assert.Equal(new MemoryBreakdown(13_476_831_232, 0, 0, Activations: 295_698_432, KvCache: 2_147_483_648), estimate);
        Assert.Equal(15_920_013_312, estimate.Total);
        Assert.Equal(512 * 1024, estimate.KvCache / 4096); // the well-known 0.5 MiB per token in 16 bits
    }

    [Fact]
    public void Llama7BTrainingWorkedExample()
    {
        MemoryBreakdown estimate = MemoryEstimate.Training(Llama7B, batch: 1, sequenceLength: 4096, bytesPerParameter: 2, OptimizerKind.AdamW);

        Assert.Equal(new MemoryBreakdown(13_476_831_232, 13_476_831_232, 53_907_324_928, Activations: 52_131_004_416, KvCache: 0), estimate);
        Assert.Equal(132_991_991_808, estimate.Total);
        Assert.Equal(1_610_612_736, MemoryEstimate.LayerActivationBytes(4096, 1, 4096, 32, 2, dropout: false));
    }

    [Theory]
    [InlineData(256, 8, 128, 4)]
    [InlineData(2048, 1, 12_288, 96)] // GPT-3 175B's layer, as in the paper
    public void WithDropoutAt16BitsTheLayerFormulaIsKorthikantis(long s, long b, long h, long a)
    {
        // Korthikanti et al. 2022, §4.1: s·b·h·(34 + 5·a·s/h) = 34·s·b·h + 5·a·s²·b bytes.
        Assert.Equal(34 * s * b * h + 5 * a * s * s * b, MemoryEstimate.LayerActivationBytes(s, b, h, a, 2, dropout: true));
    }

    [Theory]
    [InlineData("tiny", 2)]
    [InlineData("tiny", 4)]
    [InlineData("small", 2)]
    [InlineData("small", 4)]
    public void WeightsAreParametersTimesBytes(string preset, int bytes)
    {
        TransformerConfig config = TransformerConfig.Preset(preset, 40);

        Assert.Equal(config.ParameterCount * bytes, MemoryEstimate.Inference(config, 3, 17, bytes).Weights);
        Assert.Equal(config.ParameterCount * bytes, MemoryEstimate.Training(config, 3, 17, bytes, OptimizerKind.Sgd).Weights);
        Assert.Equal(config.ParameterCount * bytes, MemoryEstimate.Training(config, 3, 17, bytes, OptimizerKind.Sgd).Gradients);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0)]
    [InlineData(OptimizerKind.SgdMomentum, 4)]
    [InlineData(OptimizerKind.AdamW, 8)]
    public void OptimizerStateIsFp32PerParameter(OptimizerKind optimizer, int bytesPerParameter)
    {
        Assert.Equal(Tiny.ParameterCount * bytesPerParameter, MemoryEstimate.Training(Tiny, 1, 16, 2, optimizer).OptimizerState);
    }

    [Theory]
    [InlineData(0, 16, 4)]
    [InlineData(1, 0, 4)]
    [InlineData(1, 16, 0)]
    public void NonPositiveSizesAreRejected(int batch, int sequenceLength, int bytes)
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => MemoryEstimate.Inference(Tiny, batch, sequenceLength, bytes));
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => MemoryEstimate.Training(Tiny, batch, sequenceLength, bytes, OptimizerKind.AdamW));
    }

    [Fact]
    public void ATotalTooLargeForALongIsAnOverflowNotANegativeNumber()
    {
        Assert.Equal(15, new MemoryBreakdown(1, 2, 3, 4, 5).Total);
        Assert.Throws<OverflowException>(() => new MemoryBreakdown(long.MaxValue, 1, 0, 0, 0).Total);
    }
}
