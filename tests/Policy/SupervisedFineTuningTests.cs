using Reasoning.Core.Accounting;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Model;
using Reasoning.Policy.Training;
using TorchSharp;

namespace Reasoning.Tests.Policy;

[Collection(LeakChecks.Name)]
public sealed class SupervisedFineTuningTests
{
    [Fact]
    public void TheScheduleWarmsUpThenDecaysByCosine()
    {
        var schedule = new LearningRateSchedule(1e-3, WarmupSteps: 10, TotalSteps: 110, Floor: 0.1);
        Assert.Equal(1e-4, schedule.At(0), 12);
        Assert.Equal(1e-3, schedule.At(9), 12);
        Assert.Equal(1e-3, schedule.At(10), 12);
        Assert.Equal(1e-4 + 0.9e-3 * 0.5 * (1 + Math.Cos(Math.PI * 50 / 99.0)), schedule.At(60), 12);
        Assert.Equal(1e-4, schedule.At(109), 12);
    }

    [Fact]
    public void ThePromptIsMaskedOutOfTheLoss()
    {
        var problem = TaskRegistry.CreateDefault().Get("arithmetic").Generate(1, new Reasoning.Core.Problems.DeterministicRandom(1));
        var example = SupervisedFineTuning.Encode(PolicyTestModels.Tokenizer, problem, Reasoning.Core.Solutions.LineSolutionFormat.Instance);
        (torch.Tensor ids, torch.Tensor targets) = SupervisedFineTuning.Collate([example], torch.CPU);
        long[] t = targets.data<long>().ToArray();
        Assert.All(t.Take(example.PromptLength - 1), x => Assert.Equal(-100, x));
        Assert.Equal(example.Ids.Skip(example.PromptLength).Select(x => (long)x), t.Skip(example.PromptLength - 1));
        Assert.Equal(example.Ids.Count - 1, ids.shape[1]);
    }

    [Fact]
    public void LossFallsAndEveryTrainedTokenIsCharged()
    {
        IReasoningTask task = TaskRegistry.CreateDefault().Get("arithmetic");
        var problems = ProblemSplit.Create(task, 1, trainSize: 64, testSize: 0, seed: 1).Train;
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 1);
        var meter = new RecordingMeter();
        long before = BatchedSamplerTests.LiveTensors();
        IReadOnlyList<LossPoint> curve = SupervisedFineTuning.Train(model, PolicyTestModels.Tokenizer, problems,
            new FineTuningOptions(Steps: 40, BatchSize: 16, LearningRate: 1e-2, WarmupSteps: 5), meter);

        Assert.Equal(40, curve.Count);
        Assert.True(curve.TakeLast(5).Average(p => p.Loss) < 0.6 * curve.Take(5).Average(p => p.Loss), string.Join(", ", curve.Select(p => p.Loss.ToString("F2"))));
        Assert.True(meter.Total.TrainedTokens >= 40 * 16 * 10);
        Assert.True(meter.EstimatedBytes > 4 * 3 * model.Config.ParameterCount); // weights, gradients, AdamW state and more
        Assert.Equal(before, BatchedSamplerTests.LiveTensors());
    }
}
