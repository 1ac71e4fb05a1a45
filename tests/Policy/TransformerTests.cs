using Reasoning.Policy.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy;

public sealed class TransformerTests
{
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void ParameterCountMatchesTheModule(bool groupedQuery, bool tied)
    {
        TransformerConfig config = PolicyTestModels.Micro(groupedQuery, tied);
        using var model = new Transformer(config, seed: 1);
        Assert.Equal(config.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void ThePresetsHaveTheAdvertisedSizes()
    {
        Assert.InRange(TransformerConfig.Tiny(40).ParameterCount, 900_000, 1_100_000);
        Assert.InRange(TransformerConfig.Small(40).ParameterCount, 9_000_000, 11_000_000);
        var error = Assert.Throws<ArgumentException>(() => TransformerConfig.Preset("huge", 40));
        Assert.Contains("known presets: tiny, small", error.Message);
    }

    [Fact]
    public void InvalidShapesAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new TransformerConfig(10, 30, 1, 4, 4, 8).Validate());
        Assert.Contains("dimension 30 must be a multiple of heads 4", error.Message);
        Assert.Throws<ArgumentException>(() => new TransformerConfig(10, 32, 1, 4, 3, 8).Validate());
    }

    [Fact]
    public void TheSameSeedGivesTheSameWeights()
    {
        using var a = new Transformer(PolicyTestModels.Micro(), seed: 3);
        using var b = new Transformer(PolicyTestModels.Micro(), seed: 3);
        using var c = new Transformer(PolicyTestModels.Micro(), seed: 4);
        var pa = a.parameters().ToList();
        var pb = b.parameters().ToList();
        var pc = c.parameters().ToList();
        Assert.All(Enumerable.Range(0, pa.Count), i => Assert.True(pa[i].eq(pb[i]).all().item<bool>()));
        Assert.Contains(Enumerable.Range(0, pa.Count), i => !pa[i].eq(pc[i]).all().item<bool>());
    }

    [Fact]
    public void FlopsCountTwicePerMatmulParameterPlusAttention()
    {
        TransformerConfig config = PolicyTestModels.Micro();
        // 2 × matmul parameters per token, plus 4 × layers × heads × head dim per attended position.
        Assert.Equal(2.0 * config.MatmulParameters * 10 + 4.0 * 2 * 4 * 8 * 55, config.ForwardFlops(10, 55));
        Assert.Equal(config.ForwardFlops(1, 7), config.ForwardFlopsPerToken(7));
    }

    [Fact]
    public void LogitsWithTheCacheEqualLogitsWithoutIt()
    {
        // Mixed prompt lengths (left padding), grouped-query attention, then six decode steps.
        TransformerConfig config = PolicyTestModels.Micro(groupedQuery: true);
        using var model = new Transformer(config, seed: 5);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var random = new Random(9);
        int[] promptLengths = [3, 11, 6, 1, 8];
        const int decode = 6;
        int batch = promptLengths.Length, longest = promptLengths.Max(), total = longest + decode;
        int[][] sequences = promptLengths.Select(n => Enumerable.Range(0, n + decode).Select(_ => random.Next(4, config.VocabularySize)).ToArray()).ToArray();

        // Reference: each row alone, no padding, no cache.
        var expected = sequences.Select(s =>
        {
            Tensor ids = tensor(s.Select(x => (long)x).ToArray(), new long[] { 1, s.Length });
            return model.Forward(ids, arange(s.Length).unsqueeze(0)).squeeze(0); // [T, V]
        }).ToArray();

        // Cached: left-padded prefill of the prompts, then one token per step.
        var ids = new long[batch, longest];
        var positions = new long[batch, longest];
        var valid = new bool[batch, total];
        for (int i = 0; i < batch; i++)
        {
            int pad = longest - promptLengths[i];
            for (int j = 0; j < total; j++)
            {
                valid[i, j] = j >= pad;
            }

            for (int j = pad; j < longest; j++)
            {
                ids[i, j] = sequences[i][j - pad];
                positions[i, j] = j - pad;
            }
        }

        Tensor keyValid = tensor(valid.Cast<bool>().ToArray(), new long[] { batch, total });
        Tensor causal = ones(longest, longest, dtype: ScalarType.Bool).tril();
        Tensor prefillMask = (causal & keyValid.narrow(1, 0, longest).view(batch, 1, 1, longest)) | eye(longest, dtype: ScalarType.Bool);
        using var cache = new KvCache(config, batch, total, ScalarType.Float32, CPU);
        Tensor logits = model.Forward(tensor(ids.Cast<long>().ToArray(), new long[] { batch, longest }), tensor(positions.Cast<long>().ToArray(), new long[] { batch, longest }), prefillMask, cache);
        double worst = 0;
        for (int i = 0; i < batch; i++)
        {
            int pad = longest - promptLengths[i];
            worst = Math.Max(worst, (logits[i].narrow(0, pad, promptLengths[i]) - expected[i].narrow(0, 0, promptLengths[i])).abs().max().item<float>());
        }

        for (int step = 0; step < decode; step++)
        {
            long length = longest + step + 1;
            Tensor next = tensor(Enumerable.Range(0, batch).Select(i => (long)sequences[i][promptLengths[i] + step]).ToArray(), new long[] { batch, 1 });
            Tensor nextPositions = tensor(promptLengths.Select(n => (long)(n + step)).ToArray(), new long[] { batch, 1 });
            Tensor stepLogits = model.Forward(next, nextPositions, keyValid.narrow(1, 0, length).view(batch, 1, 1, length), cache); // [B, 1, V]
            for (int i = 0; i < batch; i++)
            {
                worst = Math.Max(worst, (stepLogits[i, 0] - expected[i][promptLengths[i] + step]).abs().max().item<float>());
            }
        }

        Assert.True(worst <= 1e-4, $"max abs logit difference {worst}");
    }
}

public sealed class TransformerLifetimeTests
{
    [Fact]
    public void AModelBuiltInsideADisposeScopeOutlivesIt()
    {
        Transformer model;
        using (torch.NewDisposeScope())
        {
            model = new Transformer(PolicyTestModels.Micro(), seed: 1);
        }

        using (model)
        {
            Assert.Equal(model.Config.ParameterCount, model.parameters().Sum(p => p.numel()));
            Assert.All(model.state_dict().Values, t => Assert.False(t.IsInvalid));
        }
    }

    [Fact]
    public void RotaryTablesAreNotPartOfTheStateDict()
    {
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 1);
        Assert.DoesNotContain(model.state_dict().Keys, k => k.Contains("rope", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(model.parameters().Count(), model.state_dict().Count);
    }
}
