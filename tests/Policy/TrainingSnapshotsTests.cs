using Reasoning.Core.Accounting;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Model;
using Reasoning.Policy.Training;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Policy;

[Collection(LeakChecks.Name)]
public sealed class TrainingSnapshotsTests
{
    private static readonly IReadOnlyList<Reasoning.Core.Problems.Problem> Problems =
        ProblemSplit.Create(TaskRegistry.CreateDefault().Get("arithmetic"), 2, trainSize: 40, testSize: 0, seed: 5).Train;

    private static readonly FineTuningOptions Options = new(Steps: 8, BatchSize: 6, LearningRate: 3e-3, WarmupSteps: 2, Seed: 3);

    [Fact]
    public void FineTuningStoppedAndResumedEndsBitwiseAsAnUninterruptedRunAndChargesEachStepOnce()
    {
        using var folder = new TempFolder();
        TransformerConfig config = PolicyTestModels.Micro();

        using var straight = new Transformer(config, seed: 9);
        var straightMeter = new RecordingMeter();
        IReadOnlyList<LossPoint> straightCurve = SupervisedFineTuning.Train(straight, PolicyTestModels.Tokenizer, Problems, Options, straightMeter);

        // Stopped during step 5 (0-based): the snapshot after 3 steps is the latest; steps 3 and 4 are lost.
        var snapshots = new TrainingSnapshots(folder.File("sft"), every: 3, key: "micro sft");
        using var cancel = new CancellationTokenSource();
        using (var stopped = new Transformer(config, seed: 9))
        {
            Assert.Throws<OperationCanceledException>(() => SupervisedFineTuning.Train(
                stopped, PolicyTestModels.Tokenizer, Problems, Options, new RecordingMeter(), p => { if (p.Step == 4) cancel.Cancel(); }, cancel.Token, snapshots: snapshots));
        }

        Assert.Equal(["latest", "step-0000003"], Directory.EnumerateFileSystemEntries(folder.File("sft")).Select(Path.GetFileName).Order());
        var reopened = new TrainingSnapshots(folder.File("sft"), every: 3, key: "micro sft");
        Assert.Equal(3, reopened.Latest!.Step);

        using var resumed = new Transformer(config, seed: 1234); // other initial weights: the snapshot's replace them
        var resumedMeter = new RecordingMeter();
        var heard = new List<int>();
        IReadOnlyList<LossPoint> resumedCurve = SupervisedFineTuning.Train(
            resumed, PolicyTestModels.Tokenizer, Problems, Options, resumedMeter, p => heard.Add(p.Step), snapshots: reopened);

        Assert.Equal([3, 4, 5, 6, 7], heard);
        Assert.Equal(straightCurve, resumedCurve);
        Assert.Equal(straightMeter.Total, resumedMeter.Total); // steps 0-2 charged from the snapshot, 3-7 here: each once
        foreach (var (a, b) in straight.parameters().Zip(resumed.parameters()))
        {
            Assert.True(a.eq(b).all().item<bool>(), "a weight differs from the uninterrupted run's");
        }
    }

    [Fact]
    public void ASnapshotOfOtherWorkIsNotResumed()
    {
        using var folder = new TempFolder();
        var snapshots = new TrainingSnapshots(folder.File("sft"), every: 4, key: "first");
        using (var model = new Transformer(PolicyTestModels.Micro(), seed: 9))
        {
            SupervisedFineTuning.Train(model, PolicyTestModels.Tokenizer, Problems, Options, new RecordingMeter(), snapshots: snapshots);
        }

        Assert.Equal(4, new TrainingSnapshots(folder.File("sft"), every: 4, key: "first").Latest!.Step);
        Assert.Null(new TrainingSnapshots(folder.File("sft"), every: 4, key: "second").Latest);
    }

    [Fact]
    public void ALatestFileNamingAMissingSnapshotIsNoSnapshot()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("loop"));
        File.WriteAllText(folder.File("loop/latest"), "step-0000010");
        Assert.Null(new TrainingSnapshots(folder.File("loop"), every: 5, key: "k").Latest);
    }

    [Fact]
    public void SavingAndRestoringSnapshotsLeavesNoLiveTensors()
    {
        using var folder = new TempFolder();
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 9);
        using var optimizer = TorchSharp.torch.optim.AdamW(model.parameters(), 1e-3);
        var snapshots = new TrainingSnapshots(folder.File("loop"), every: 1, key: "k");
        snapshots.Save(1, model, optimizer, default, 0, 0, 0, "");
        snapshots.Restore(model, optimizer);
        long before = BatchedSamplerTests.LiveTensors();
        for (int i = 2; i < 12; i++)
        {
            snapshots.Save(i, model, optimizer, default, 0, 0, 0, "");
            new TrainingSnapshots(folder.File("loop"), every: 1, key: "k").Restore(model, optimizer);
        }

        Assert.Equal(before, BatchedSamplerTests.LiveTensors());
    }
}
