using Reasoning.Core.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;

namespace Reasoning.Tests.Policy;

[Collection(LeakChecks.Name)]
public sealed class BatchedSamplerTests : IDisposable
{
    private readonly Transformer _model = new(PolicyTestModels.Micro(), seed: 2);
    private readonly CharTokenizer _tokenizer = PolicyTestModels.Tokenizer;

    public BatchedSamplerTests() => _model.eval();

    public void Dispose() => _model.Dispose();

    private List<IReadOnlyList<int>> Prompts(params string[] questions) =>
        questions.Select(q => (IReadOnlyList<int>)_tokenizer.EncodePrompt(q)).ToList();

    private GeneratedSequence[] Generate(List<IReadOnlyList<int>> prompts, SamplingOptions options, IUsageMeter? meter = null) =>
        BatchedSampler.Generate(_model, prompts, prompts.Select((_, i) => new BatchedSampler.RowOptions(options, i)).ToList(),
            Enumerable.Repeat(meter ?? NullUsageMeter.Instance, prompts.Count).ToList());

    [Fact]
    public void TheSameSeedGivesTheSameSamplesAndAnotherSeedOthers()
    {
        var prompts = Prompts("1+2", "(3+4)*5-6", "7");
        var options = new SamplingOptions(Temperature: 1.0, MaxNewTokens: 24, Seed: 7);
        var first = Generate(prompts, options);
        var again = Generate(prompts, options);
        var other = Generate(prompts, options with { Seed = 8 });
        Assert.Equal(first.Select(s => s.Tokens), again.Select(s => s.Tokens));
        Assert.Equal(first.Select(s => s.LogProbabilities), again.Select(s => s.LogProbabilities));
        Assert.NotEqual(first.Select(s => s.Tokens), other.Select(s => s.Tokens));
    }

    [Fact]
    public void CachedAndUncachedDecodingAgree()
    {
        var prompts = Prompts("1+2", "(3+4)*5-6", "12*3-4*5+1");
        var options = new SamplingOptions(Temperature: 0.8, MaxNewTokens: 20, Seed: 3);
        var cached = Generate(prompts, options);
        var uncached = Generate(prompts, options with { UseCache = false });
        Assert.Equal(cached.Select(s => s.Tokens), uncached.Select(s => s.Tokens));
        for (int i = 0; i < cached.Length; i++)
        {
            Assert.All(cached[i].LogProbabilities.Zip(uncached[i].LogProbabilities), p => Assert.Equal(p.First, p.Second, 1e-4));
        }
    }

    [Fact]
    public void GreedyDecodingPicksTheMostLikelyToken()
    {
        var prompts = Prompts("1+2", "3*4");
        GeneratedSequence[] greedy = Generate(prompts, SamplingOptions.Greedy(12));
        float[][] scores = ContinuationScorer.Score(_model, prompts, greedy.Select(g => g.Tokens).ToList(), 1.0, [NullUsageMeter.Instance, NullUsageMeter.Instance]);
        for (int i = 0; i < prompts.Count; i++)
        {
            // The scorer agrees with the sampler's log-probabilities, and each greedy token is an argmax.
            Assert.All(scores[i].Zip(greedy[i].LogProbabilities), p => Assert.Equal(p.First, p.Second, 1e-4));
            Assert.All(greedy[i].LogProbabilities, lp => Assert.True(lp >= Math.Log(1.0 / _tokenizer.VocabularySize) - 1e-6));
        }
    }

    [Fact]
    public void RowsStopAtTheirStopTokenOrTheLengthLimit()
    {
        var prompts = Prompts("1+2", "3", "4*5", "(1+1)");
        foreach (StopAt stop in new[] { StopAt.EndOfStep, StopAt.EndOfAnswer })
        {
            GeneratedSequence[] outputs = Generate(prompts, new SamplingOptions(Temperature: 1.5, MaxNewTokens: 40, Stop: stop, Seed: 11));
            foreach (GeneratedSequence output in outputs)
            {
                Assert.InRange(output.Tokens.Count, 1, 40);
                Assert.Equal(output.Tokens.Count, output.LogProbabilities.Count);
                int[] stops = stop == StopAt.EndOfStep ? [CharTokenizer.EndOfStep, CharTokenizer.EndOfAnswer] : [CharTokenizer.EndOfAnswer];
                if (output.Stopped)
                {
                    Assert.Contains(output.Tokens[^1], stops);
                }
                else
                {
                    Assert.Equal(40, output.Tokens.Count);
                }

                Assert.DoesNotContain(output.Tokens.SkipLast(1), t => stops.Contains(t));
            }
        }
    }

    [Fact]
    public void BenchmarksCanRunEveryRowToTheLengthLimit()
    {
        var prompts = Prompts("1+2", "3");
        var options = new SamplingOptions(Temperature: 1.5, MaxNewTokens: 30, Stop: StopAt.EndOfStep, Seed: 11);
        GeneratedSequence[] outputs = BatchedSampler.Generate(_model, prompts, prompts.Select((_, i) => new BatchedSampler.RowOptions(options, i)).ToList(),
            [NullUsageMeter.Instance, NullUsageMeter.Instance], ignoreStopTokens: true);
        Assert.All(outputs, o => Assert.Equal(30, o.Tokens.Count));
        Assert.All(outputs, o => Assert.False(o.Stopped));
    }

    [Fact]
    public void EveryTokenAndForwardPassIsCharged()
    {
        var meter = new RecordingMeter();
        var prompts = Prompts("1+2", "12*3-4");
        GeneratedSequence[] outputs = Generate(prompts, new SamplingOptions(Temperature: 1.0, MaxNewTokens: 10, Seed: 1), meter);
        Assert.Equal(outputs.Sum(o => o.Tokens.Count), meter.Total.GeneratedTokens);
        // Prefill: 2 rows × the longest prompt; then each decode step charges one token per live row.
        long longest = prompts.Max(p => p.Count);
        Assert.Equal(2 * longest + outputs.Sum(o => o.Tokens.Count - 1), meter.Total.ProcessedTokens);
        Assert.True(meter.Total.Flops > 2.0 * _model.Config.MatmulParameters * meter.Total.ProcessedTokens);
        // The analytic estimate of this generation (weights, KV cache, activations) is reported too.
        Assert.Equal(Reasoning.Policy.Accounting.MemoryEstimate.Inference(_model.Config, 2, (int)longest + 10, 4).Total, meter.EstimatedBytes);
    }

    [Fact]
    public void ALongLoopOfGenerationsLeavesNoLiveTensors()
    {
        var prompts = Prompts("1+2", "3*4-5");
        Generate(prompts, new SamplingOptions(MaxNewTokens: 8, Seed: 0)); // warm-up
        long before = LiveTensors();
        for (int i = 0; i < 150; i++)
        {
            Generate(prompts, new SamplingOptions(Temperature: i % 2, MaxNewTokens: 8, Seed: i, UseCache: i % 3 != 0));
        }

        Assert.Equal(before, LiveTensors());
    }

    /// <summary>
    /// The bf16 paths (fp32 norm statistics, residual added after the GEMM, written-out grouped decode attention, the packed
    /// prefill of prompts of two lengths, MKL's bf16 products of two rows) free what they make.
    /// </summary>
    [Fact]
    public void ALongLoopOfBf16GenerationsLeavesNoLiveTensors()
    {
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 2);
        model.Freeze();
        model.to(torch.ScalarType.BFloat16);
        var prompts = Prompts("1+2", "3*4-5");
        GeneratedSequence[] Run(int i) => BatchedSampler.Generate(
            model, prompts, prompts.Select((_, r) => new BatchedSampler.RowOptions(new SamplingOptions(Temperature: i % 2, MaxNewTokens: 8, Seed: i), r)).ToList(),
            Enumerable.Repeat<IUsageMeter>(NullUsageMeter.Instance, prompts.Count).ToList());
        Run(0); // warm-up
        long before = LiveTensors();
        for (int i = 0; i < 150; i++)
        {
            Run(i);
        }

        Assert.Equal(before, LiveTensors());
    }

    /// <summary>Live tensors once tensors left to the garbage collector elsewhere are finalised.</summary>
    internal static long LiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return torch.Tensor.TotalCount;
    }

    [Fact]
    public void InvalidOptionsAreNamed()
    {
        Assert.Contains("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions(Temperature: -1).Validate()).Message);
        Assert.Contains("top_p", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions(TopP: 0).Validate()).Message);
        Assert.Contains("max_new_tokens", Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions(MaxNewTokens: 0).Validate()).Message);
    }
}
