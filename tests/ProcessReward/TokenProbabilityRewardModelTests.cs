using Reasoning.Core.Accounting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;
using Reasoning.Tests.Policy;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.ProcessReward;

/// <summary>
/// A Math-Shepherd-style PRM loaded from a model folder: a tiny random Qwen2 with the byte tokenizer (id = byte), its
/// step tag &lt;|im_start|&gt; (257), good "+" (43), bad "-" (45).
/// </summary>
[Collection(LeakChecks.Name)]
public sealed class TokenProbabilityRewardModelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("token-prm-").FullName;

    public TokenProbabilityRewardModelTests() => ModelShapes.WriteRandom(_folder, ModelShapes.Get("tiny-qwen2"), seed: 3);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private TokenProbabilityRewardModel Load() => TokenProbabilityRewardModel.Load(_folder, "<|im_start|>", "+", "-", CPU, ScalarType.Float32);

    [Fact]
    public void ASolutionIsTheQuestionThenEachStepWithItsTagOnALineOfItsOwn()
    {
        using TokenProbabilityRewardModel prm = Load();
        Assert.Equal((257, 43, 45), prm.TokenIds);
        // "Q" " " | "a" " " <tag> | "\n" | "b" " " <tag>
        (List<int> ids, List<int> tags) = prm.Encode(new SolutionLines("Q", ["a", "b"]));
        Assert.Equal([81, 32, 97, 32, 257, 10, 98, 32, 257], ids);
        Assert.Equal([4, 8], tags);
    }

    [Fact]
    public void AStepsScoreIsTheGoodTokensShareOfTheTwoAtItsTagInAnyBatch()
    {
        using TokenProbabilityRewardModel prm = Load();
        var solutions = new[] { new SolutionLines("What is 2+3?", ["2+3=5", "#### 5"]), new SolutionLines("Q", ["x"]), new SolutionLines("Q", []) };
        var meter = new RecordingMeter();

        double[][] scores = prm.Score(solutions, meter);

        Assert.Empty(scores[2]);
        using LoadedModelFolder reference = ModelFolder.Load(_folder);
        reference.Model.eval();
        for (int s = 0; s < 2; s++)
        {
            // Each solution alone, through the plain forward pass: P(+) / (P(+) + P(-)) at each tag.
            (List<int> ids, List<int> tags) = prm.Encode(solutions[s]);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor logits = reference.Model.Forward(tensor(ids.Select(i => (long)i).ToArray(), new long[] { 1, ids.Count }), arange(ids.Count).view(1, -1));
            double[] expected = tags.Select(p =>
            {
                double good = logits[0, p, 43].item<float>(), bad = logits[0, p, 45].item<float>();
                return 1 / (1 + Math.Exp(bad - good));
            }).ToArray();
            Assert.Equal(expected.Length, scores[s].Length);
            Assert.All(expected.Zip(scores[s]), p => Assert.Equal(p.First, p.Second, 1e-5));
        }

        // One pass of two rows padded to the longer one's length, charged in full.
        int longest = prm.Encode(solutions[0]).Ids.Count;
        Assert.Equal(2L * longest, meter.Total.ProcessedTokens);
        Assert.Equal(prm.Config.ForwardFlops(2L * longest, 2 * longest * (longest + 1) / 2.0), meter.Total.Flops);
    }

    [Fact]
    public void ATokenThatIsNotOneIdIsNamed()
    {
        var tokenizer = Reasoning.Policy.Tokenization.HfTokenizer.Load(_folder);
        var error = Assert.Throws<ArgumentException>(() => TokenProbabilityRewardModel.ResolveTokens(tokenizer, "ки", "+", "-"));
        // Cyrillic к and и are two bytes each in UTF-8: four byte tokens, not one.
        Assert.Equal("step_tag \"ки\" is not one token of this tokenizer: it encodes to 4 ids [208, 186, 208, 184]", error.Message);
    }
}
