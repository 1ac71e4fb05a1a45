using Reasoning.Core.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy.Pretrained;

/// <summary>
/// The loaded model against the independent PyTorch reference: logits within 1e-4 for a batch of prompts of different
/// lengths (left-padded, per-row positions), with and without the KV cache, and greedy continuations token for token.
/// </summary>
[Collection(LeakChecks.Name)]
public sealed class ModelFolderParityTests
{
    private const double Tolerance = 1e-4;

    [Theory]
    [MemberData(nameof(HfReference.Cases), MemberType = typeof(HfReference))]
    public void BatchedLogitsOfPromptsOfDifferentLengthsMatchTheReference(string name)
    {
        HfReference reference = HfReference.Load(name);
        using LoadedModelFolder loaded = ModelFolder.Load(HfReference.Folder(name));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Transformer model = loaded.Model;
        model.eval();
        int batch = reference.Prompts.Length, longest = reference.Prompts.Max(p => p.Length);
        var ids = new long[batch, longest];
        var positions = new long[batch, longest];
        var valid = new bool[batch, 1, longest, longest];
        for (int b = 0; b < batch; b++)
        {
            int pad = longest - reference.Prompts[b].Length;
            for (int j = 0; j < longest; j++)
            {
                ids[b, j] = j < pad ? 0 : reference.Prompts[b][j - pad];
                positions[b, j] = Math.Max(0, j - pad);
                for (int k = 0; k <= j; k++)
                {
                    // Causal over the real tokens; a padded query sees itself so no row of the softmax is empty.
                    valid[b, 0, j, k] = k >= pad || k == j;
                }
            }
        }

        Tensor logits = model.Forward(tensor(ids), tensor(positions), tensor(valid)); // [B, T, V]
        for (int b = 0; b < batch; b++)
        {
            int pad = longest - reference.Prompts[b].Length;
            for (int j = 0; j < reference.Prompts[b].Length; j++)
            {
                AssertClose(reference.Logits[b][j], logits[b, pad + j].data<float>().ToArray(), $"{name} prompt {b} position {j}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(HfReference.Cases), MemberType = typeof(HfReference))]
    public void LogitsThroughTheKvCacheMatchTheReference(string name)
    {
        HfReference reference = HfReference.Load(name);
        using LoadedModelFolder loaded = ModelFolder.Load(HfReference.Folder(name));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Transformer model = loaded.Model;
        model.eval();
        for (int b = 0; b < reference.Prompts.Length; b++)
        {
            int[] prompt = reference.Prompts[b];
            int prefill = reference.PrefillLengths[b];
            using var cache = new KvCache(model.Config, batch: 1, capacity: prompt.Length, ScalarType.Float32, CPU);
            Tensor first = model.Forward(Row(prompt[..prefill]), Row(Enumerable.Range(0, prefill).ToArray()), null, cache); // [1, prefill, V]
            for (int j = 0; j < prefill; j++)
            {
                AssertClose(reference.CachedLogits[b][j], first[0, j].data<float>().ToArray(), $"{name} prompt {b} prefill position {j}");
            }

            for (int j = prefill; j < prompt.Length; j++)
            {
                Tensor step = model.Forward(Row([prompt[j]]), Row([j]), null, cache); // [1, 1, V]
                AssertClose(reference.CachedLogits[b][j], step[0, 0].data<float>().ToArray(), $"{name} prompt {b} cached position {j}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(HfReference.Cases), MemberType = typeof(HfReference))]
    public void GreedyContinuationsInOneBatchMatchTheReferenceTokenForToken(string name)
    {
        HfReference reference = HfReference.Load(name);
        using LoadedModelFolder loaded = ModelFolder.Load(HfReference.Folder(name));
        loaded.Model.eval();
        var prompts = reference.Prompts.Select(p => (IReadOnlyList<int>)p).ToList();
        int length = reference.Greedy[0].Length;
        foreach (bool cache in new[] { true, false })
        {
            var options = SamplingOptions.Greedy(length) with { UseCache = cache };
            GeneratedSequence[] generated = BatchedSampler.Generate(
                loaded.Model, prompts, prompts.Select((_, i) => new BatchedSampler.RowOptions(options, i)).ToList(),
                Enumerable.Repeat<IUsageMeter>(NullUsageMeter.Instance, prompts.Count).ToList(), ignoreStopTokens: true);
            Assert.Equal(reference.Greedy.Select(g => g.ToList()), generated.Select(g => g.Tokens.ToList()));
        }
    }

    private static Tensor Row(int[] values) => tensor(values.Select(v => (long)v).ToArray(), new long[] { 1, values.Length });

    private static void AssertClose(float[] expected, float[] actual, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= Tolerance, $"{where}: logits differ by up to {worst:g3} (tolerance {Tolerance:g})");
    }
}
