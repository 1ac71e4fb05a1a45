using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Model;
using Reasoning.ProcessReward;
using Reasoning.ProcessReward.Labels;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;
using Reasoning.ProcessReward.Training;
using Reasoning.Tests.Policy;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.ProcessReward;

/// <summary>The implicit process reward (Yuan et al. 2024): β times the summed log-likelihood ratio of the written tokens.</summary>
[Collection(LeakChecks.Name)]
public sealed class ImplicitRewardTests
{
    private static readonly TransformerConfig Config = PolicyTestModels.Micro(groupedQuery: true, tied: false);

    private static readonly RewardModelTrainingOptions Quick = new(Steps: 4, BatchSize: 4, LearningRate: 1e-2, WarmupSteps: 1, Seed: 3);

    private static readonly SolutionLines[] Solutions = [new("1+2", ["3", "12", "answer: 3"]), new("12+34", ["46", "answer: 46"])];

    /// <summary>Cumulative labels, as exact step labels are: a solution is on track until the first line with a 7.</summary>
    private static IReadOnlyList<LabeledSolution> SevenIsAMistake(int count, long seed)
    {
        var random = DeterministicRandom.ForPurpose(seed, "tests/seven-is-a-mistake");
        var solutions = new List<LabeledSolution>(count);
        for (int i = 0; i < count; i++)
        {
            var lines = Enumerable.Range(0, random.Next(2, 5))
                .Select(_ => new string(Enumerable.Range(0, random.Next(1, 4)).Select(_ => (char)('0' + random.Next(10))).ToArray()))
                .ToList();
            bool onTrack = true;
            double[] labels = lines.Select(l => (onTrack = onTrack && !l.Contains('7')) ? 1.0 : 0.0).ToArray();
            solutions.Add(new LabeledSolution($"seven/{seed}/{i}", $"{random.Next(10)}+{random.Next(10)}", lines, labels));
        }

        return solutions;
    }

    [Fact]
    public void BeforeTrainingEveryLineScoresOneHalfAndThePolicyIsNotTouchedByTraining()
    {
        using var policy = new Transformer(Config, seed: 11);
        using RewardModel model = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 1, RewardHead.Implicit, beta: 0.5);
        Assert.All(RewardScorer.Score(model, Solutions, NullUsageMeter.Instance).SelectMany(s => s), s => Assert.Equal(0.5, s));

        using var scope = NewDisposeScope();
        var before = policy.parameters().Select(p => p.clone()).ToList();
        // The output projection is read, so it is trained; the head is kept (unused) so every kind saves alike.
        Assert.Equal(Config.ParameterCount + Config.Dimension + 1, model.TrainableParameters().Sum(p => p.numel()));
        RewardModelTrainer.Train(model, SevenIsAMistake(8, seed: 2), Quick, NullUsageMeter.Instance);
        var after = policy.parameters().ToList();
        Assert.All(Enumerable.Range(0, after.Count), i => Assert.True(after[i].eq(before[i]).all().item<bool>()));
        Assert.Contains(RewardScorer.Score(model, Solutions, NullUsageMeter.Instance).SelectMany(s => s), s => s != 0.5);
    }

    [Fact]
    public void ALineScoresTheSigmoidOfBetaTimesTheLogRatiosOfEveryTokenWrittenUpToItsEnd()
    {
        const double beta = 0.7;
        using var policy = new Transformer(Config, seed: 12);
        using RewardModel model = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 1, RewardHead.Implicit, beta);
        RewardModelTrainer.Train(model, SevenIsAMistake(8, seed: 3), Quick, NullUsageMeter.Instance);
        double[][] scores = RewardScorer.Score(model, Solutions, NullUsageMeter.Instance);

        // By hand: the trained backbone as a policy of its own, and the reference, each scoring the written tokens.
        using var trained = new Transformer(Config, seed: 0);
        using (no_grad())
        {
            var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach ((string name, TorchSharp.Modules.Parameter p) in trained.named_parameters())
            {
                p.copy_(weights["backbone." + name]);
            }
        }

        for (int s = 0; s < Solutions.Length; s++)
        {
            List<int> ids = PolicyTestModels.Tokenizer.EncodePrompt(Solutions[s].Prompt);
            int promptLength = ids.Count;
            var lineEnds = new List<int>();
            foreach (string line in Solutions[s].Lines)
            {
                ids.AddRange(PolicyTestModels.Tokenizer.Encode(line + "\n"));
                lineEnds.Add(ids.Count - 1);
            }

            float[] Log(Transformer m)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                Tensor logits = m.Forward(tensor(ids.Select(i => (long)i).ToArray(), new long[] { 1, ids.Count }), arange(ids.Count).unsqueeze(0)); // [1, T, V]
                return logits.log_softmax(-1).squeeze(0).data<float>().ToArray();                                                                        // [T·V]
            }

            float[] theta = Log(trained), reference = Log(policy);
            int v = Config.VocabularySize;
            for (int line = 0; line < lineEnds.Count; line++)
            {
                double sum = 0;
                for (int i = promptLength; i <= lineEnds[line]; i++)
                {
                    sum += theta[(i - 1) * v + ids[i]] - reference[(i - 1) * v + ids[i]];
                }

                Assert.Equal(1 / (1 + Math.Exp(-beta * sum)), scores[s][line], 5);
            }
        }
    }

    [Fact]
    public void WithBothHeadsTheScalarHeadIsAddedToTheImplicitReward()
    {
        using var policy = new Transformer(Config, seed: 13);
        using RewardModel scalar = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 4);
        using RewardModel both = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 4, RewardHead.ScalarPlusImplicit);
        // Untrained, the implicit part is 0: both score what the scalar head alone does.
        Assert.Equal(RewardScorer.Score(scalar, Solutions, NullUsageMeter.Instance), RewardScorer.Score(both, Solutions, NullUsageMeter.Instance));
    }

    [Fact]
    public void TrainedOnFirstMistakeLabelsItRanksHeldOutStepsWell()
    {
        IReadOnlyList<LabeledSolution> data = SevenIsAMistake(300, seed: 4);
        using var policy = new Transformer(Config, seed: 14);
        using RewardModel model = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 1, RewardHead.Implicit);
        TrainedRewardModel trained = ProcessRewardTraining.Train(model, data, new ProcessRewardTrainingOptions(Quick with { Steps = 80, BatchSize = 16 }, HeldOutFraction: 0.25), NullUsageMeter.Instance);
        Assert.True(trained.HeldOut.Auc > 0.9, trained.HeldOut.ToString());
    }

    [Fact]
    public void ScoringAndTrainingChargeTheReferencesForwardPassToo()
    {
        using var policy = new Transformer(Config, seed: 15);
        using RewardModel model = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 1, RewardHead.Implicit);
        var meter = new RecordingMeter();
        RewardScorer.Score(model, [new SolutionLines("12+34", ["46"])], meter); // 10 tokens
        double forward = Config.ForwardFlops(10, 10 * 11 / 2.0);
        Assert.Equal(2 * forward, meter.Total.Flops, 1e-9 * forward);
        Assert.Equal(2 * forward, model.ScoringFlops(10, 10 * 11 / 2.0), 1e-9 * forward);
        Assert.Equal(4 * forward, model.TrainingFlops(10, 10 * 11 / 2.0), 1e-9 * forward);
        // Its own inference estimate (no KV cache) plus the reference's weights and activations.
        MemoryBreakdown own = MemoryEstimate.Inference(Config, 1, 10, 4);
        Assert.Equal(own.Total - own.KvCache + policy.WeightBytes + own.Activations, meter.EstimatedBytes);
        Assert.Equal(
            MemoryEstimate.Training(Config, 2, 17, 4, OptimizerKind.AdamW).Total + policy.WeightBytes + MemoryEstimate.Inference(Config, 2, 17, 4).Activations,
            model.EstimatedTrainingBytes(2, 17));
    }

    [Fact]
    public void ALongLoopOfTrainingAndScoringLeavesNoLiveTensors()
    {
        IReadOnlyList<LabeledSolution> data = SevenIsAMistake(24, seed: 6);
        using var policy = new Transformer(Config, seed: 17);
        using RewardModel model = RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 1, RewardHead.ScalarPlusImplicit);
        RewardModelTrainer.Train(model, data, Quick with { Steps = 2 }, NullUsageMeter.Instance); // warm-up
        long before = BatchedSamplerTests.LiveTensors();
        for (int i = 0; i < 3; i++)
        {
            RewardModelTrainer.Train(model, data, Quick with { Steps = 10, Seed = i }, NullUsageMeter.Instance);
            RewardModelTrainer.Evaluate(model, data, batchSize: 5);
            RewardScorer.Score(model, Solutions, NullUsageMeter.Instance, batchSize: 1);
        }

        Assert.Equal(before, BatchedSamplerTests.LiveTensors());
    }

    [Fact]
    public void BadArgumentsAreRefusedClearly()
    {
        using var policy = new Transformer(Config, seed: 16);
        var missing = Assert.Throws<ArgumentException>(() => new RewardModel(Config, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, 1, RewardHead.Implicit));
        Assert.Contains("needs the frozen reference policy", missing.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RewardModel.FromPolicy(policy, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, 1, RewardHead.Implicit, beta: 0));
        using var other = new Transformer(Config with { VocabularySize = Config.VocabularySize + 1 }, seed: 1);
        var mismatch = Assert.Throws<ArgumentException>(() => new RewardModel(Config, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, 1, RewardHead.Implicit, other));
        Assert.Contains("reference policy reads", mismatch.Message);
    }
}
