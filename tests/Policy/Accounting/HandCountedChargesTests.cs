using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using Reasoning.Policy.Training;
using Reasoning.ProcessReward.Labels;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;
using Reasoning.ProcessReward.Training;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy.Accounting;

/// <summary>
/// Every charge of a micro configuration counted by hand, the arithmetic written out here, not taken from the
/// functions under test.
/// <para>
/// The model: vocabulary V = 16 (4 special ids and the 12 characters of "12+=" and "answer: "), dimension d = 4, one
/// layer, 2 query heads and 1 key/value head of dimension 2, SwiGLU hidden size 6, the output projection tied to the embedding.
/// Matrix-multiply parameters per token: q and o 4·4 each, k and v 4·2 each, gate, up and down 4·6 each, so
/// 16 + 16 + 8 + 8 + 72 = 120 in the layer, plus the output projection V·d = 64 (the embedding's weights, multiplied
/// once per token): 184. The embedding lookup and the norms' 2·4 + 4 weights are not multiplications. A forward pass costs 2·184 = 368 FLOPs per token, plus 4 per
/// attended position per layer, head and head dimension: 4·1·2·2 = 16 per attended position. Training is 3 times that.
/// </para>
/// </summary>
[Collection(LeakChecks.Name)]
public sealed class HandCountedChargesTests : IDisposable
{
    private static readonly CharTokenizer Tokenizer = new("12+=answer: ");
    private static readonly TransformerConfig Config = new(16, Dimension: 4, Layers: 1, Heads: 2, KvHeads: 1, HiddenDimension: 6, MaxSequenceLength: 32);
    private readonly Transformer _model = new(Config, seed: 3);

    public HandCountedChargesTests() => _model.eval();

    public void Dispose() => _model.Dispose();

    [Fact]
    public void TheMicroModelHasTheParametersCountedByHand()
    {
        Assert.Equal(16, Tokenizer.VocabularySize);
        Assert.Equal(184, Config.MatmulParameters);
        // Every weight: embedding 64 (also the output projection), the layer's 120 and its two norms' 8, the final norm's 4.
        Assert.Equal(64 + 120 + 8 + 4, _model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void APassOverTwoRowsOfThreeTokens()
    {
        // 6 tokens; each row attends 1 + 2 + 3 = 6 positions, 12 in all: 368·6 + 16·12 = 2,208 + 192 = 2,400.
        Assert.Equal(new Usage(0, 6, 0, 2400), PassCharges.Forward(Config, rows: 2, length: 3));
        Assert.Equal(new Usage(0, 0, 6, 3 * 2400), PassCharges.Training(Config, rows: 2, length: 3));
    }

    [Fact]
    public void SupervisedFineTuningChargesEachStepThreeForwardPasses()
    {
        // "1+1" as a prompt is Begin, 1, +, 1, end of step: 5 ids. Its reference "1+1=2\nanswer: 2\n" is 5 + 1 + 9 + 1 = 16
        // ids, no end of completion for a character tokenizer: 21 ids, so 20 inputs per row (the last id is only a target).
        // One step over a batch of one: 20 tokens attending 20·21/2 = 210 positions: 368·20 + 16·210 = 7,360 + 3,360 =
        // 10,720 forward, 32,160 trained; two steps: 40 trained tokens, 64,320 FLOPs.
        Problem problem = Problem.Create("t", 1, "1+1", "2", ["1+1=2"]);
        using var model = new Transformer(Config, seed: 3);
        var meter = new RecordingMeter();
        SupervisedFineTuning.Train(model, Tokenizer, [problem], new FineTuningOptions(Steps: 2, BatchSize: 1, WarmupSteps: 0), meter);
        Assert.Equal(new Usage(0, 0, 40, 64320), meter.Total);
    }

    [Fact]
    public void DecodingThroughTheCacheAttendsOneMorePositionEachStep()
    {
        // Prompt "1+1": 5 ids. Four new tokens: the prefill (5 tokens, 1+2+3+4+5 = 15 positions) gives the first; each of
        // the next three is one token attending the cache plus itself: 6, 7, 8. Processed 5 + 3 = 8, attended 15 + 21 = 36:
        // 368·8 + 16·36 = 2,944 + 576 = 3,520 FLOPs.
        var meter = new RecordingMeter();
        Generate([Tokenizer.EncodePrompt("1+1")], new SamplingOptions(Temperature: 0, MaxNewTokens: 4), meter);
        Assert.Equal(new Usage(4, 8, 0, 3520), meter.Total);
    }

    [Fact]
    public void APaddedRowIsChargedThePaddedLengthAndWithoutACacheEachStepRunsTheWholeSequence()
    {
        // "1+1" (5 ids) and "11+1" (6 ids): both rows are charged the padded prefill, 6 tokens and 21 positions, then
        // decodes attending 7 and 8: per row 8 tokens, 36 positions, 3,520 FLOPs; two rows 16 tokens, 7,040 FLOPs.
        IReadOnlyList<int>[] prompts = [Tokenizer.EncodePrompt("1+1"), Tokenizer.EncodePrompt("11+1")];
        var cached = new RecordingMeter();
        Generate(prompts, new SamplingOptions(Temperature: 0, MaxNewTokens: 3), cached);
        Assert.Equal(new Usage(6, 16, 0, 7040), cached.Total);

        // Without the cache each step reruns the sequence so far: 6 tokens (21 positions), 7 (28), 8 (36): per row
        // 21 tokens and 85 positions, 368·21 + 16·85 = 7,728 + 1,360 = 9,088; two rows 42 tokens, 18,176 FLOPs.
        var uncached = new RecordingMeter();
        Generate(prompts, new SamplingOptions(Temperature: 0, MaxNewTokens: 3, UseCache: false), uncached);
        Assert.Equal(new Usage(6, 42, 0, 18176), uncached.Total);
    }

    [Fact]
    public void ScoringAContinuationChargesEachRowOneFullPass()
    {
        // Prompts of 5 ids, continuations of 3 and 1 ids: the rows are packed to 5 + 3 = 8 positions and each is charged
        // 8 tokens attending 36 positions: 368·8 + 16·36 = 3,520 FLOPs; 16 tokens and 7,040 FLOPs for both.
        var meter = new RecordingMeter();
        IReadOnlyList<int> prompt = Tokenizer.EncodePrompt("1+1");
        ContinuationScorer.Score(_model, [prompt, prompt], [[4, 5, 6], [7]], temperature: 1.0, [meter, meter]);
        Assert.Equal(new Usage(0, 16, 0, 7040), meter.Total);
    }

    [Theory]
    // The scalar head replaces the output projection's V·d = 64 by d = 4 weights: 184 - 64 + 4 = 124 multiply weights,
    // 248 FLOPs per token. The input "1+1" + "1+1=2\n" + "answer: 2\n" is 5 + 6 + 10 = 21 ids attending 21·22/2 = 231
    // positions: forward 248·21 + 16·231 = 5,208 + 3,696 = 8,904; training 3 × 8,904 = 26,712; no reference.
    [InlineData(RewardHead.Scalar, 8904, 26712)]
    // The implicit head is the language model itself (368 per token): forward 368·21 + 3,696 = 11,424, and the frozen
    // reference's forward pass (the same shape) beside it: scoring 2 × 11,424 = 22,848; training 3 × 11,424 + 11,424 = 45,696.
    [InlineData(RewardHead.Implicit, 22848, 45696)]
    public void RewardModelScoringAndTrainingAreCountedPerHeadWithTheReference(RewardHead head, double scoring, double training)
    {
        using var model = RewardModel.FromPolicy(_model, Tokenizer, RewardModelKind.ProcessReward, seed: 1, head);
        var solution = new LabeledSolution("p", "1+1", ["1+1=2", "answer: 2"], [1.0, 1.0]);
        var scored = new RecordingMeter();
        RewardScorer.Score(model, [new SolutionLines("1+1", ["1+1=2", "answer: 2"])], scored);
        Assert.Equal(new Usage(0, 21, 0, scoring), scored.Total);

        var trained = new RecordingMeter();
        RewardModelTrainer.Train(model, [solution], new RewardModelTrainingOptions(Steps: 1, BatchSize: 1, WarmupSteps: 0), trained);
        Assert.Equal(new Usage(0, 0, 21, training), trained.Total);
    }

    private GeneratedSequence[] Generate(IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options, IUsageMeter meter) =>
        BatchedSampler.Generate(_model, prompts, prompts.Select((_, i) => new BatchedSampler.RowOptions(options, i)).ToList(),
            Enumerable.Repeat(meter, prompts.Count).ToList(), ignoreStopTokens: true);
}
