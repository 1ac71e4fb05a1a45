using System.Diagnostics;
using Reasoning.Core.Accounting;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Training;
using Reasoning.ProcessReward;
using Reasoning.ProcessReward.Labels;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;
using Reasoning.ProcessReward.Training;
using Reasoning.Tests.Policy;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Reasoning.Tests.ProcessReward;

[Collection(LeakChecks.Name)]
public sealed class RewardModelTests(ITestOutputHelper output)
{
    private static TransformerConfig Micro => PolicyTestModels.Micro(groupedQuery: false, tied: true);

    private static RewardModel Fresh(RewardModelKind kind = RewardModelKind.ProcessReward, long seed = 1, TransformerConfig? config = null) =>
        RewardModel.Fresh(config ?? Micro, PolicyTestModels.Tokenizer, kind, seed);

    private static readonly RewardModelTrainingOptions Quick = new(Steps: 150, BatchSize: 16, LearningRate: 1e-2, WarmupSteps: 10, Seed: 3);

    [Fact]
    public void OnSyntheticLabelsHeldOutAucRisesAboveNinetyPercent()
    {
        IReadOnlyList<LabeledSolution> data = SyntheticLabels.Generate(400, seed: 1);
        var options = new ProcessRewardTrainingOptions(Quick with { Steps = 100 }, HeldOutFraction: 0.25);
        using RewardModel model = Fresh();
        RewardModelMetrics untrained = RewardModelTrainer.Evaluate(model, ProcessRewardTraining.Split(data, 0.25, options.Training.Seed).HeldOut);
        var meter = new RecordingMeter();
        var clock = Stopwatch.StartNew();
        TrainedRewardModel trained = ProcessRewardTraining.Train(model, data, options, meter);
        clock.Stop();

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F2} s; untrained: {untrained}; trained: {trained.HeldOut}; loss {trained.LossCurve[0].Loss:F3} → {trained.LossCurve[^1].Loss:F3}");
        Assert.Equal(300, trained.TrainSolutions);
        Assert.Equal(100, trained.HeldOutSolutions);
        Assert.Equal(100, trained.LossCurve.Count);
        Assert.True(untrained.Auc < 0.8, untrained.ToString());
        Assert.True(trained.HeldOut.Auc > 0.9, trained.HeldOut.ToString());
        Assert.True(trained.HeldOut.StepAccuracy > 0.8, trained.HeldOut.ToString());
        Assert.Equal(untrained.Count, trained.HeldOut.Count);
        Assert.True(meter.Total.TrainedTokens > 0 && meter.Total.ProcessedTokens > 0 && meter.Total.GeneratedTokens == 0);
        Assert.True(meter.EstimatedBytes > 4 * 3 * model.Config.ParameterCount); // weights, gradients, AdamW state and more
    }

    [Fact]
    public void TrainingIsDeterministicForASeed()
    {
        var data = SyntheticLabels.Generate(40, seed: 2);
        var options = Quick with { Steps = 12, BatchSize = 8 };
        (IReadOnlyList<LossPoint> Curve, double[][] Scores) Run()
        {
            using RewardModel model = Fresh(seed: 5);
            var curve = RewardModelTrainer.Train(model, data, options, NullUsageMeter.Instance);
            return (curve, RewardScorer.Score(model, data.Take(5).Select(s => new SolutionLines(s.Prompt, s.Lines)).ToArray(), NullUsageMeter.Instance));
        }

        var (a, b) = (Run(), Run());
        Assert.Equal(a.Curve, b.Curve);
        Assert.Equal(a.Scores, b.Scores);
    }

    [Fact]
    public void ScoresDoNotDependOnTheBatchOrItsPadding()
    {
        using RewardModel model = Fresh(seed: 7);
        var solutions = SyntheticLabels.Generate(6, seed: 4).Select(s => new SolutionLines(s.Prompt, s.Lines)).ToArray();
        double[][] together = RewardScorer.Score(model, solutions, NullUsageMeter.Instance, batchSize: 4);
        for (int i = 0; i < solutions.Length; i++)
        {
            double[] alone = RewardScorer.Score(model, [solutions[i]], NullUsageMeter.Instance)[0];
            Assert.Equal(solutions[i].Lines.Count, alone.Length);
            Assert.All(alone.Zip(together[i]), p => Assert.Equal(p.First, p.Second, 1e-5));
            Assert.All(alone, s => Assert.InRange(s, 0, 1));
        }
    }

    [Fact]
    public void ScoringChargesEveryComputedToken()
    {
        using RewardModel model = Fresh();
        SolutionLines[] solutions =
        [
            new("1+2", ["3", "answer: 3"]),           // 1 + 3 + 1 + 2 + 10 = 17 tokens
            new("12+34", ["46"]),                     // 1 + 5 + 1 + 3 = 10
            new("", []),                              // no lines: not computed
            new("9", ["9", "9", "answer: 9"]),       // 1 + 1 + 1 + 2 + 2 + 10 = 17
        ];
        var meter = new RecordingMeter();
        double[][] scores = RewardScorer.Score(model, solutions, meter, batchSize: 2);

        Assert.Equal([2, 1, 0, 3], scores.Select(s => s.Length));
        // Longest first: [17, 17] in one pass, [10] in another.
        Assert.Equal(new Usage(0, 2 * 17 + 10, 0, model.ForwardFlops(34, 2 * 17 * 18 / 2.0) + model.ForwardFlops(10, 10 * 11 / 2.0)), meter.Total);
        Assert.Equal(model.EstimatedScoringBytes(2, 17), meter.EstimatedBytes);
        Assert.True(meter.EstimatedBytes < MemoryEstimate.Inference(model.Config, 2, 17, 4).Total);
        Assert.Equal(
            2.0 * (model.Config.MatmulParameters - model.Config.VocabularySize * model.Config.Dimension + model.Config.Dimension) * 10,
            model.ForwardFlops(10, 0));
    }

    [Fact]
    public void TrainingChargesTrainedTokensAndThreeTimesTheForwardFlops()
    {
        using RewardModel model = Fresh();
        LabeledSolution[] data = [new("a", "1+2", ["3", "answer: 3"], [1, 1]), new("b", "12+34", ["46"], [0])];
        var meter = new RecordingMeter();
        RewardModelTrainer.Train(model, data, Quick with { Steps = 3, BatchSize = 2 }, meter);
        Assert.Equal(new Usage(0, 0, 3 * 2 * 17, 0), meter.Total with { Flops = 0 });
        Assert.Equal(3 * 3 * model.ForwardFlops(34, 2 * 17 * 18 / 2.0), meter.Total.Flops, 1e-9 * meter.Total.Flops);
        Assert.Equal(model.EstimatedTrainingBytes(2, 17), meter.EstimatedBytes);
        // The policy's estimate less the vocabulary's fp32 logits, plus the head's one.
        Assert.Equal(MemoryEstimate.Training(model.Config, 2, 17, 4, OptimizerKind.AdamW).Total - 2 * 17 * (model.Config.VocabularySize - 1) * 4, meter.EstimatedBytes);
    }

    [Fact]
    public void AnOutcomeModelLearnsOnlyTheLastLineEnd()
    {
        using RewardModel outcome = Fresh(RewardModelKind.OutcomeReward);
        using RewardModel process = Fresh(RewardModelKind.ProcessReward);
        var withAnswer = new LabeledSolution("a", "1+2", ["1+2=3", "answer: 3"], [0.5, 1]);
        var cutOff = new LabeledSolution("b", "1+2", ["1+2=3"], [1]);

        var o = RewardModelTrainer.Encode(outcome, withAnswer);
        Assert.Equal([o.Input.LineEnds[^1]], o.Positions);
        Assert.Equal([o.Input.Ids.Length - 1], o.Positions);
        Assert.Equal([1f], o.Targets);
        Assert.Equal([0f], RewardModelTrainer.Encode(outcome, cutOff).Targets); // no answer: a wrong outcome
        var p = RewardModelTrainer.Encode(process, withAnswer);
        Assert.Equal(p.Input.LineEnds, p.Positions);
        Assert.Equal([0.5f, 1f], p.Targets);

        // The ids: Begin, the question, end of step, then each line and its end (end of answer after the answer line).
        Assert.Equal(PolicyTestModels.Tokenizer.EncodePrompt("1+2").Concat(PolicyTestModels.Tokenizer.Encode("1+2=3\nanswer: 3\n")), o.Input.Ids);
        Assert.Equal(CharTokenizerEndOfAnswer, o.Input.Ids[^1]);

        // Only the last line end enters the loss: other lines' labels change nothing.
        using (var scope = NewDisposeScope())
        {
            var relabelled = withAnswer with { Labels = [0.0, 1] };
            float Loss(RewardModel m, LabeledSolution s) => RewardModelTrainer.Loss(m, [RewardModelTrainer.Encode(m, s)], 1.0, out _, out _).item<float>();
            Assert.Equal(Loss(outcome, withAnswer), Loss(outcome, relabelled));
            Assert.NotEqual(Loss(process, withAnswer), Loss(process, relabelled));
        }

        var data = SyntheticLabels.Generate(20, seed: 6, answerLines: true);
        RewardModelMetrics metrics = RewardModelTrainer.Evaluate(outcome, data);
        Assert.Equal(20, metrics.Count);
        Assert.Equal(data.Sum(s => s.Lines.Count), RewardModelTrainer.Evaluate(process, data).Count);
    }

    private const int CharTokenizerEndOfAnswer = Reasoning.Policy.Tokenization.CharTokenizer.EndOfAnswer;

    [Fact]
    public void AnOutcomeModelScoresASolutionByItsLastLine()
    {
        using RewardModel outcome = Fresh(RewardModelKind.OutcomeReward);
        SolutionLines[] solutions = [new("1+2", ["1+2=3", "answer: 3"])];
        double[] lines = RewardScorer.Score(outcome, solutions, NullUsageMeter.Instance)[0];
        Assert.Equal(lines[^1], RewardScorer.ScoreSolutions(outcome, solutions, ScoreAggregation.Min, NullUsageMeter.Instance)[0]);
    }

    [Fact]
    public void AModelFromAPolicyStartsFromItsWeightsAndLeavesThemAlone()
    {
        TransformerConfig config = PolicyTestModels.Micro(groupedQuery: true, tied: false);
        using var policy = new Transformer(config, seed: 11);
        using RewardModel model = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 1);
        using var scope = NewDisposeScope();
        var before = policy.parameters().Select(p => p.clone()).ToList();

        // The backbone's output projection is unused, so it is not trained.
        Assert.Equal(config.ParameterCount - (long)config.VocabularySize * config.Dimension + config.Dimension + 1, model.TrainableParameters().Sum(p => p.numel()));
        RewardModelTrainer.Train(model, SyntheticLabels.Generate(8, seed: 7), Quick with { Steps = 2, BatchSize = 4 }, NullUsageMeter.Instance);
        var after = policy.parameters().ToList();
        Assert.All(Enumerable.Range(0, after.Count), i => Assert.True(after[i].eq(before[i]).all().item<bool>()));

        using var noGrad = no_grad();
        using RewardModel copy = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 1);
        Tensor ids = tensor(new long[] { 1, 5, 6, 7, 2, 8, 9, 2 }, new long[] { 1, 8 });
        Tensor positions = arange(8).unsqueeze(0);
        Tensor hidden = policy.HiddenStates(ids, positions);                                 // [1, 8, C]
        var head = copy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Tensor expected = nn.functional.linear(hidden, head["head.weight"], head["head.bias"]).squeeze(-1); // [1, 8]
        Assert.True(copy.Forward(ids, positions).allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void HiddenStatesAreWhatTheOutputProjectionReads()
    {
        using var policy = new Transformer(PolicyTestModels.Micro(groupedQuery: true, tied: false), seed: 12);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor ids = tensor(new long[] { 1, 5, 6, 7, 2, 8, 9, 2, 1, 4, 4, 4, 2, 5, 5, 3 }, new long[] { 2, 8 });
        Tensor positions = arange(8).expand(2, 8);
        Tensor hidden = policy.HiddenStates(ids, positions);                                 // [2, 8, C]
        Assert.Equal(new long[] { 2, 8, policy.Config.Dimension }, hidden.shape);
        Tensor output = policy.named_parameters().Single(p => p.name == "output.weight").parameter;
        Assert.True(nn.functional.linear(hidden, output).eq(policy.Forward(ids, positions)).all().item<bool>());
    }

    [Fact]
    public void ALongLoopOfTrainingAndScoringLeavesNoLiveTensors()
    {
        var data = SyntheticLabels.Generate(24, seed: 8);
        var lines = data.Select(s => new SolutionLines(s.Prompt, s.Lines)).ToArray();
        using RewardModel model = Fresh();
        RewardModelTrainer.Train(model, data, Quick with { Steps = 2, BatchSize = 8 }, NullUsageMeter.Instance); // warm-up
        long before = BatchedSamplerTests.LiveTensors();
        for (int i = 0; i < 3; i++)
        {
            RewardModelTrainer.Train(model, data, Quick with { Steps = 20, BatchSize = 8, Seed = i }, NullUsageMeter.Instance);
            RewardModelTrainer.Evaluate(model, data, batchSize: 5);
            RewardScorer.Score(model, lines, NullUsageMeter.Instance, batchSize: 7);
        }

        Assert.Equal(before, BatchedSamplerTests.LiveTensors());
    }

    [Fact]
    public void ClassBalanceWeighsPositivesByNegativesOverPositives()
    {
        Assert.Equal(3.0, RewardModelTrainer.PositiveWeight([1f, 0f, 0f, 0f]));
        Assert.Equal(1.5, RewardModelTrainer.PositiveWeight([1f, 0.5f, 0f, 0f, 0.5f]), 12); // soft labels: 2 positives, 3 negatives
        Assert.Equal(1.0, RewardModelTrainer.PositiveWeight([1f, 1f]));
    }

    [Theory]
    [InlineData(true, 2.0)]  // labels 1, 0, 0: 1 positive, 2 negatives, w = 2
    [InlineData(false, 1.0)]
    public void TheClassBalanceWeightReachesTheLoss(bool balance, double weight)
    {
        // The first point of the loss curve is the loss before the first update. With the model's scores p = σ(x) at
        // the three line ends, it is the mean of −w·y·log p − (1 − y)·log(1 − p) (softplus(−x) = −log σ(x)).
        using RewardModel model = Fresh();
        var solution = new LabeledSolution("p", "1+1", ["1+1=3", "3+1=4", "answer: 4"], [1.0, 0.0, 0.0]);
        double[] p = RewardScorer.Score(model, [new SolutionLines("1+1", solution.Lines)], NullUsageMeter.Instance)[0];
        double expected = (-weight * Math.Log(p[0]) - Math.Log(1 - p[1]) - Math.Log(1 - p[2])) / 3;
        IReadOnlyList<LossPoint> curve = RewardModelTrainer.Train(
            model, [solution], new RewardModelTrainingOptions(Steps: 1, BatchSize: 1, WarmupSteps: 0, ClassBalance: balance), NullUsageMeter.Instance);
        Assert.Equal(expected, curve[0].Loss, 4);
    }

    [Fact]
    public void TooLongASolutionIsRefusedClearly()
    {
        using RewardModel model = Fresh();
        var error = Assert.Throws<ArgumentException>(() =>
            RewardScorer.Score(model, [new SolutionLines("1", Enumerable.Repeat("1234567890", 20).ToArray())], NullUsageMeter.Instance));
        Assert.Contains("the reward model takes 96", error.Message);
    }
}
