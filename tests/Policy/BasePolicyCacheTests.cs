using Microsoft.Extensions.Logging.Abstractions;
using Reasoning.Core.Accounting;
using Reasoning.Core.Storage;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Training;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy;

public sealed class BasePolicyCacheTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "base-policy-cache-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static (BasePolicyKey Key, IReadOnlyList<Reasoning.Core.Problems.Problem> Problems) Setup(int steps = 4)
    {
        var problems = ProblemSplit.Create(TaskRegistry.CreateDefault().Get("arithmetic"), 1, trainSize: 32, testSize: 0, seed: 2).Train;
        var key = new BasePolicyKey("arithmetic", PolicyTestModels.Micro(), new FineTuningOptions(Steps: steps, BatchSize: 8), ModelSeed: 1,
            PolicyTestModels.Tokenizer.Characters, BasePolicyKey.DigestOf(problems));
        return (key, problems);
    }

    [Fact]
    public void ASecondRunReusesTheFirstRunsModelOnceCommitted()
    {
        var unit = new ModelCache(_folder, "first");
        (BasePolicyKey key, var problems) = Setup();
        BasePolicy first = new BasePolicyCache(unit, NullLogger.Instance).GetOrTrain(key, problems, NullUsageMeter.Instance);
        Assert.Equal([Path.GetFileName(first.Path)], unit.Written);
        Assert.False(new ModelCache(_folder).IsVisible(first.Path)); // saved, not committed: another unit does not trust it
        unit.Commit();
        Assert.True(File.Exists(first.Path + ModelCache.CommitSuffix));
        var meter = new RecordingMeter();
        BasePolicy second = new BasePolicyCache(new ModelCache(_folder, "second"), NullLogger.Instance).GetOrTrain(key, problems, meter);
        using (first.Model)
        using (second.Model)
        {
            Assert.False(first.Reused);
            Assert.True(second.Reused);
            Assert.Equal(0, meter.Total.TrainedTokens); // nothing was trained the second time
            Assert.Equal(first.LossCurve, second.LossCurve);
            Assert.All(first.Model.parameters().Zip(second.Model.parameters()), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
        }
    }

    [Fact]
    public void AnUncommittedCheckpointIsTrainedAgainNotReused()
    {
        // A unit killed after saving its checkpoint and before its records leaves the checkpoint without its marker.
        (BasePolicyKey key, var problems) = Setup();
        BasePolicy first = new BasePolicyCache(new ModelCache(_folder, "killed"), NullLogger.Instance).GetOrTrain(key, problems, NullUsageMeter.Instance);
        first.Model.Dispose();
        var meter = new RecordingMeter();
        BasePolicy again = new BasePolicyCache(new ModelCache(_folder, "rerun"), NullLogger.Instance).GetOrTrain(key, problems, meter);
        using (again.Model)
        {
            Assert.False(again.Reused);
            Assert.True(meter.Total.TrainedTokens > 0);
        }
    }

    [Fact]
    public void OtherSettingsGetAnotherEntry()
    {
        var cache = new BasePolicyCache(new ModelCache(_folder), NullLogger.Instance);
        (BasePolicyKey key, _) = Setup();
        Assert.NotEqual(cache.PathFor(key), cache.PathFor(key with { FineTuning = key.FineTuning with { LearningRate = 1e-4 } }));
        Assert.NotEqual(cache.PathFor(key), cache.PathFor(key with { TrainingData = "other" }));
        Assert.NotEqual(cache.PathFor(key), cache.PathFor(key with { Config = key.Config with { Layers = 3 } }));
    }

    [Fact]
    public void ADamagedCacheFileIsTrainedAgain()
    {
        var unit = new ModelCache(_folder);
        var cache = new BasePolicyCache(unit, NullLogger.Instance);
        (BasePolicyKey key, var problems) = Setup();
        cache.GetOrTrain(key, problems, NullUsageMeter.Instance).Model.Dispose();
        unit.Commit();
        string path = cache.PathFor(key);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        BasePolicy again = cache.GetOrTrain(key, problems, NullUsageMeter.Instance);
        using (again.Model)
        {
            Assert.False(again.Reused);
            Assert.Equal(bytes.Length, new FileInfo(path).Length);
        }
    }
}
