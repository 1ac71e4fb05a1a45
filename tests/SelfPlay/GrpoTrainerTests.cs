using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using Reasoning.SelfPlay.R1.Objective;
using Reasoning.SelfPlay.R1.Rewards;
using Reasoning.SelfPlay.R1.Training;
using Reasoning.Tests.Policy;
using static TorchSharp.torch;

namespace Reasoning.Tests.SelfPlay;

/// <summary>The GRPO loop on a micro policy: real sampling through the host, real gradients.</summary>
[Collection(LeakChecks.Name)]
public sealed class GrpoTrainerTests : IDisposable
{
    private static readonly IReasoningTask Arithmetic = TaskRegistry.CreateDefault().Get("arithmetic");
    private static readonly IReadOnlyList<Problem> Problems = ProblemSplit.Create(Arithmetic, 1, trainSize: 16, testSize: 0, seed: 1).Train;

    private readonly PolicyHost _host = PolicyHostTests.StartHost();
    private readonly ModelHandle _base;

    public GrpoTrainerTests() => _base = _host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 3), PolicyTestModels.Tokenizer);

    public void Dispose() => _host.Dispose();

    /// <summary>A reward the micro policy can learn in seconds: the response starts with a 1.</summary>
    private static RewardBreakdown StartsWithOne(Problem problem, string completion) =>
        completion.StartsWith('1') ? new RewardBreakdown(1, 0, 1) : new RewardBreakdown(0, 0, 0);

    private static GrpoOptions Options(int steps, long seed = 5) => new(
        Steps: steps, PromptsPerStep: 4, GroupSize: 8, LearningRate: 3e-3, Mu: 2, Seed: seed,
        Objective: new GrpoObjectiveOptions(Beta: 0.01, MaxResponseLength: 6));

    [Fact]
    public async Task ThePolicyLearnsWhatIsRewarded()
    {
        using ModelHandle policy = _host.CreateTrainableCopy(_base, "grpo");
        IReadOnlyList<GrpoStepMetrics> steps = await GrpoTrainer.TrainAsync(_host, policy, _base, Problems, StartsWithOne, Options(40), NullUsageMeter.Instance);

        double before = steps.Take(5).Average(s => s.Accuracy), after = steps.TakeLast(5).Average(s => s.Accuracy);
        Assert.True(after > before + 0.3, $"rewarded share {before:P0} → {after:P0}");
        Assert.True(steps[^1].Kl > 0, "the policy moved away from the reference");
        Assert.All(steps, s => Assert.True(s.Entropy > 0 && s.MeanLength > 0 && s.MaxLength <= 6));
        Assert.Contains(steps, s => s.ClipFraction > 0); // with mu = 2 the second update's ratio leaves 1
    }

    [Fact]
    public async Task WithOneUpdatePerBatchTheRatioIsExactlyOne()
    {
        // π_old is the first update's own forward pass, detached: even a clip range of zero never engages with mu = 1,
        // while the second update of mu = 2 sees a ratio that has left 1.
        var tight = new GrpoObjectiveOptions(ClipLow: 0, ClipHigh: 0, Beta: 0.01, MaxResponseLength: 6);
        using ModelHandle one = _host.CreateTrainableCopy(_base, "grpo-mu1");
        IReadOnlyList<GrpoStepMetrics> single = await GrpoTrainer.TrainAsync(
            _host, one, _base, Problems, StartsWithOne, Options(6) with { Mu = 1, Objective = tight }, NullUsageMeter.Instance);
        Assert.All(single, s => Assert.Equal(0, s.ClipFraction));
        Assert.Contains(single, s => s.ContributingResponses > 0);

        using ModelHandle two = _host.CreateTrainableCopy(_base, "grpo-mu2");
        IReadOnlyList<GrpoStepMetrics> twice = await GrpoTrainer.TrainAsync(
            _host, two, _base, Problems, StartsWithOne, Options(6) with { Objective = tight }, NullUsageMeter.Instance);
        Assert.Contains(twice, s => s.ClipFraction > 0);
    }

    [Fact]
    public async Task ARunIsAFunctionOfItsSeed()
    {
        async Task<IReadOnlyList<GrpoStepMetrics>> Run(long seed)
        {
            using ModelHandle policy = _host.CreateTrainableCopy(_base, "grpo");
            return await GrpoTrainer.TrainAsync(_host, policy, _base, Problems, StartsWithOne, Options(3, seed), NullUsageMeter.Instance);
        }

        IReadOnlyList<GrpoStepMetrics> a = await Run(7), b = await Run(7), c = await Run(8);
        Assert.Equal(a.Select(s => s.WithoutMeasuredMemory()), b.Select(s => s.WithoutMeasuredMemory()));
        Assert.All(a, s => Assert.True(s.ResidentBytes > 0 && s.PeakResidentBytes >= s.ResidentBytes, $"{s.ResidentBytes} / {s.PeakResidentBytes}"));
        Assert.NotEqual(a.Select(s => s.MeanLength), c.Select(s => s.MeanLength));
    }

    [Fact]
    public async Task EveryTokenIsCharged()
    {
        using ModelHandle policy = _host.CreateTrainableCopy(_base, "grpo");
        var meter = new RecordingMeter();
        IReadOnlyList<GrpoStepMetrics> steps = await GrpoTrainer.TrainAsync(_host, policy, _base, Problems, StartsWithOne, Options(2), meter);

        Assert.Equal(steps.Sum(s => s.GeneratedTokens), meter.Total.GeneratedTokens);
        Assert.True(meter.Total.GeneratedTokens >= 2 * 4 * 8);
        // Per step, the padded batch [B, T] goes through the reference (processed) and, mu = 2 times, through training; the
        // first update's forward pass gives the old policy's log-probabilities too.
        long batchTokens = steps.Sum(s => s.BatchTokens);
        Assert.All(steps, s => Assert.Equal(0, s.BatchTokens % 32));
        Assert.Equal(2 * batchTokens, meter.Total.TrainedTokens);
        Assert.True(meter.Total.ProcessedTokens >= batchTokens, $"{meter.Total}");
        Assert.True(meter.EstimatedBytes > 0);
    }

    /// <summary>Keeps every charge apart, in order.</summary>
    private sealed class ChargeList : IUsageMeter
    {
        public System.Collections.Concurrent.ConcurrentQueue<Usage> Charges { get; } = new();

        public void Record(Usage work) => Charges.Enqueue(work);

        public void ReportEstimatedBytes(long bytes)
        {
        }
    }

    [Fact]
    public async Task TheReferencePassAndEachUpdateAreChargedAsCountedByHand()
    {
        // The micro policy: d 32, 2 layers, 4 query and 2 key/value heads of dimension 8, hidden 64, tied output projection.
        // Multiply weights per layer: q and o 32·32 each, k and v 32·16 each, gate, up and down 32·64 each:
        // 2048 + 1024 + 6144 = 9216; two layers 18,432, plus the output projection 32·V. A forward pass costs
        // 2·(18,432 + 32·V) per token and 4·2·4·8 = 256 per attended position; an update 3 times that.
        int v = PolicyTestModels.Tokenizer.VocabularySize;
        double PerToken() => 2.0 * (18432 + 32 * v);
        using ModelHandle policy = _host.CreateTrainableCopy(_base, "grpo");
        var charges = new ChargeList();
        IReadOnlyList<GrpoStepMetrics> steps = await GrpoTrainer.TrainAsync(_host, policy, _base, Problems, StartsWithOne, Options(2), charges);

        // Each step packs B = 4 prompts × 8 samples rows of T positions: the reference reads them once (B·T tokens, each
        // row attending T(T+1)/2 positions), and each of the mu = 2 updates trains on them.
        // (Sampling charges each row's passes apart, a few tokens each: none is a whole batch.)
        var batch = charges.Charges.Where(c => c.GeneratedTokens == 0 && (c.TrainedTokens > 0 || steps.Any(s => s.BatchTokens == c.ProcessedTokens))).ToList();
        var expected = new List<Usage>();
        foreach (GrpoStepMetrics step in steps)
        {
            long b = 32, t = step.BatchTokens / b;
            double forward = PerToken() * b * t + 256.0 * b * t * (t + 1) / 2;
            expected.Add(new Usage(0, b * t, 0, forward));
            expected.Add(new Usage(0, 0, b * t, 3 * forward));
            expected.Add(new Usage(0, 0, b * t, 3 * forward));
        }

        Assert.Equal(expected, batch);
    }

    [Fact]
    public async Task ALossThatIsNotANumberStopsTrainingWithTheStepNamedAndTheWeightsKept()
    {
        using ModelHandle policy = _host.CreateTrainableCopy(_base, "grpo");
        using var scope = NewDisposeScope();
        var before = policy.Model.parameters().Select(p => p.detach().clone()).ToList();
        int calls = 0;
        RewardBreakdown Poisoned(Problem problem, string completion) => ++calls > 32 ? new RewardBreakdown(double.NaN, 0, double.NaN) : StartsWithOne(problem, completion);

        var error = await Assert.ThrowsAsync<GrpoDivergedException>(() => GrpoTrainer.TrainAsync(_host, policy, _base, Problems, Poisoned, Options(5), NullUsageMeter.Instance));
        Assert.Equal(1, error.Step);
        Assert.Contains("step 1", error.Message);

        // Step 0 trained; step 1 did not touch the weights: they are step 0's.
        using ModelHandle replay = _host.CreateTrainableCopy(_base, "replay");
        await GrpoTrainer.TrainAsync(_host, replay, _base, Problems, StartsWithOne, Options(1), NullUsageMeter.Instance);
        var kept = policy.Model.parameters().ToList();
        var expected = replay.Model.parameters().ToList();
        Assert.All(Enumerable.Range(0, kept.Count), i => Assert.True(kept[i].eq(expected[i]).all().item<bool>()));
        Assert.Contains(Enumerable.Range(0, kept.Count), i => !kept[i].eq(before[i]).all().item<bool>());
    }

    [Fact]
    public async Task ALongRunLeavesNoLiveTensors()
    {
        using ModelHandle policy = _host.CreateTrainableCopy(_base, "grpo");
        await GrpoTrainer.TrainAsync(_host, policy, _base, Problems, StartsWithOne, Options(1), NullUsageMeter.Instance); // warm-up
        long before = BatchedSamplerTests.LiveTensors();
        for (int i = 0; i < 3; i++)
        {
            await GrpoTrainer.TrainAsync(_host, policy, _base, Problems, StartsWithOne, Options(4, seed: i), NullUsageMeter.Instance);
        }

        Assert.Equal(before, BatchedSamplerTests.LiveTensors());
    }

    [Fact]
    public void PackAlignsTheMaskWithThePositionsThatPredictResponseTokens()
    {
        using var scope = NewDisposeScope();
        (Tensor ids, Tensor mask) = GrpoTrainer.Pack([[1, 5, 2], [1, 2]], [[7, 8], [9]], CPU);
        Assert.Equal(new long[] { 1, 5, 2, 7, 8, 1, 2, 9, 0, 0 }, ids.data<long>().ToArray());
        // Position i predicts token i + 1: row 0's response tokens (indices 3, 4) from positions 2, 3; row 1's (index 2) from position 1.
        Assert.Equal(new float[] { 0, 0, 1, 1, 0, 1, 0, 0 }, mask.data<float>().ToArray());
    }

    [Fact]
    public void TheLearningRateWarmsUpThenStaysOrDecaysOverEveryUpdate()
    {
        // 10 steps × mu 2 = 20 updates; warm-up 5: update 0 gets 1/5 of the peak, update 4 the peak.
        var constant = new GrpoOptions(Steps: 10, Mu: 2, LearningRate: 1e-3, WarmupSteps: 5);
        Assert.Equal(2e-4, constant.LearningRates.At(0), 12);
        Assert.Equal(1e-3, constant.LearningRates.At(4), 12);
        Assert.Equal(1e-3, constant.LearningRates.At(19), 12);

        // Cosine over updates 5 … 19 (14 intervals): halfway, update 12, is 0.1 + 0.9 × 0.5 of the peak; the last a tenth.
        var cosine = constant with { Schedule = LearningRateDecay.Cosine };
        Assert.Equal(2e-4, cosine.LearningRates.At(0), 12);
        Assert.Equal(1e-3, cosine.LearningRates.At(5), 12);
        Assert.Equal(5.5e-4, cosine.LearningRates.At(12), 12);
        Assert.Equal(1e-4, cosine.LearningRates.At(19), 12);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => (constant with { Schedule = (LearningRateDecay)7 }).Validate());
        Assert.Contains("learning_rate_schedule", error.Message);
    }

    [Fact]
    public async Task BadOptionsNameTheirKey()
    {
        using ModelHandle policy = _host.CreateTrainableCopy(_base, "grpo");
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            GrpoTrainer.TrainAsync(_host, policy, _base, Problems, StartsWithOne, Options(1) with { GroupSize = 1 }, NullUsageMeter.Instance));
        Assert.Contains("group_size", error.Message);
        var frozen = await Assert.ThrowsAsync<ArgumentException>(() =>
            GrpoTrainer.TrainAsync(_host, _base, _base, Problems, StartsWithOne, Options(1), NullUsageMeter.Instance));
        Assert.Contains("trainable copy", frozen.Message);
    }
}
