using Reasoning.Core.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy;

/// <summary>
/// Sampling and scoring at a temperature τ report log softmax(logits / τ): checked by value against the model's own
/// logits, divided and normalised here in double precision.
/// </summary>
[Collection(LeakChecks.Name)]
public sealed class TemperatureTests : IDisposable
{
    private readonly Transformer _model = new(PolicyTestModels.Micro(), seed: 4);
    private readonly CharTokenizer _tokenizer = PolicyTestModels.Tokenizer;

    public TemperatureTests() => _model.eval();

    public void Dispose() => _model.Dispose();

    /// <summary>The model's logits at every position of <paramref name="ids"/>, as doubles: [T][V].</summary>
    private double[][] Logits(IReadOnlyList<int> ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor input = tensor(ids.Select(i => (long)i).ToArray(), new long[] { 1, ids.Count });
        Tensor positions = arange(ids.Count, dtype: ScalarType.Int64).unsqueeze(0);
        float[] flat = _model.Forward(input, positions).to(ScalarType.Float32).data<float>().ToArray();
        int v = _model.Config.VocabularySize;
        return Enumerable.Range(0, ids.Count).Select(t => flat.Skip(t * v).Take(v).Select(x => (double)x).ToArray()).ToArray();
    }

    /// <summary>log(exp(x_k / τ) / Σ_j exp(x_j / τ)), computed stably.</summary>
    private static double LogSoftmax(double[] logits, int k, double temperature)
    {
        double[] scaled = logits.Select(x => x / temperature).ToArray();
        double max = scaled.Max();
        return scaled[k] - max - Math.Log(scaled.Sum(x => Math.Exp(x - max)));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void ASampledTokensLogProbabilityIsTakenAtTheSamplingTemperature(double temperature)
    {
        List<int> prompt = _tokenizer.EncodePrompt("(3+4)*5");
        GeneratedSequence sample = BatchedSampler.Generate(
            _model, [prompt], [new BatchedSampler.RowOptions(new SamplingOptions(Temperature: temperature, MaxNewTokens: 1, Seed: 11), 0)], [NullUsageMeter.Instance],
            ignoreStopTokens: true)[0];
        double expected = LogSoftmax(Logits(prompt)[^1], sample.Tokens[0], temperature);
        Assert.Equal(expected, sample.LogProbabilities[0], 4);
        // At temperature 1 the same token would have another log-probability: the test can tell them apart.
        Assert.NotEqual(Math.Round(LogSoftmax(Logits(prompt)[^1], sample.Tokens[0], 1.0), 3), Math.Round(expected, 3));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void AScoredContinuationIsTakenAtTheScoringTemperature(double temperature)
    {
        List<int> prompt = _tokenizer.EncodePrompt("12-7");
        List<int> continuation = _tokenizer.Encode("12-7=5\n");
        float[] scored = ContinuationScorer.Score(_model, [prompt], [continuation], temperature, [NullUsageMeter.Instance])[0];
        double[][] logits = Logits([.. prompt, .. continuation]);
        // Continuation token j sits at position |prompt| + j and is predicted from the position before it.
        double[] expected = continuation.Select((token, j) => LogSoftmax(logits[prompt.Count + j - 1], token, temperature)).ToArray();
        Assert.Equal(expected.Length, scored.Length);
        for (int j = 0; j < expected.Length; j++)
        {
            Assert.Equal(expected[j], scored[j], 4);
        }
    }
}
