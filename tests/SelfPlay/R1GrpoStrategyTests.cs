using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using Reasoning.SelfPlay.R1.Strategies;
using Reasoning.Tests.Policy;

namespace Reasoning.Tests.SelfPlay;

/// <summary><c>r1-grpo</c> end to end on a micro policy: its curves, its answers, its costs, its errors.</summary>
[Collection(LeakChecks.Name)]
public sealed class R1GrpoStrategyTests : IDisposable
{
    private static readonly IReasoningTask Arithmetic = TaskRegistry.CreateDefault().Get("arithmetic");
    private readonly PolicyHost _host = PolicyHostTests.StartHost();
    private readonly PolicySession _session;
    private readonly ServiceProvider _services;
    private readonly string _scratch = Directory.CreateTempSubdirectory("reasoning-r1-grpo-").FullName;

    public R1GrpoStrategyTests()
    {
        _session = new PolicySession(_host, _host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 3), PolicyTestModels.Tokenizer), "micro");
        _services = new ServiceCollection().AddSingleton(_session).BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        _host.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    private sealed class Curves : IMetricLog
    {
        public ConcurrentDictionary<string, List<(int Step, double Value)>> Points { get; } = new();

        public void Record(string name, int step, double value) => Points.GetOrAdd(name, _ => []).Add((step, value));
    }

    private StrategyContext Context(IReadOnlyList<Problem> train, RecordingMeter meter, IMetricLog? curves = null) => new(
        _services, Arithmetic, train, 7, meter, NullLogger.Instance, new Progress<string>(), _scratch, CancellationToken.None, curves);

    [Fact]
    public async Task PrepareTrainsAndRecordsItsCurvesAndSolveAnswersEveryQuestion()
    {
        ProblemSplit split = ProblemSplit.Create(Arithmetic, 1, trainSize: 12, testSize: 5, seed: 1);
        var options = new R1GrpoOptions { Steps = 4, PromptsPerStep = 2, GroupSize = 4, MaxResponseLength = 8, HeldOutProblems = 4, EvaluateEvery = 2, SolveSamples = 3 };
        using var strategy = new R1GrpoStrategy(options);
        var train = new RecordingMeter();
        var curves = new Curves();
        await strategy.PrepareAsync(Context(split.Train, train, curves));

        foreach (string curve in new[] { "grpo/reward", "grpo/accuracy", "grpo/length_mean", "grpo/length_max", "grpo/kl", "grpo/entropy", "grpo/clip_fraction", "grpo/grad_norm", "grpo/generated_tokens", "grpo/estimated_bytes", "grpo/resident_bytes", "grpo/peak_resident_bytes" })
        {
            Assert.Equal([1, 2, 3, 4], curves.Points[curve].Select(p => p.Step));
        }

        Assert.All(curves.Points["grpo/peak_resident_bytes"], p => Assert.True(p.Value >= curves.Points["grpo/resident_bytes"].Single(r => r.Step == p.Step).Value));
        Assert.Equal([0, 2, 4], curves.Points["grpo/held_out_accuracy"].Select(p => p.Step)); // before training, then every 2 steps
        Assert.True(File.Exists(Path.Combine(_scratch, "policy.ckpt")));
        // Rollouts (4 steps x 2 prompts x 4 samples, at least a token each) and three held-out evaluations of 4 problems.
        Assert.True(train.Total.GeneratedTokens >= 4 * 2 * 4 + 3 * 4, $"{train.Total}");
        Assert.True(train.Total.TrainedTokens > 0);

        var inference = new RecordingMeter();
        IReadOnlyList<Attempt> attempts = await strategy.SolveAsync(split.Test.Select(p => p.ToQuestion()).ToList(), Context(split.Train, inference));
        Assert.Equal(split.Test.Select(p => p.Id), attempts.Select(a => a.QuestionId));
        Assert.True(inference.Total.GeneratedTokens >= 5 * 3);
        Assert.Equal(0, inference.Total.TrainedTokens);
    }

    [Fact]
    public async Task TheHeldOutEvaluationsAreChargedToTheTrainPhase()
    {
        // Evaluations at step 0 (the base policy) and at step 2 (the trained one), greedy over the last 4 train problems.
        // The train phase's generated tokens must be the rollouts' (the grpo/generated_tokens curve) plus exactly those two
        // greedy decodings, which are made again here: the base policy through the host, the trained one through Solve.
        ProblemSplit split = ProblemSplit.Create(Arithmetic, 1, trainSize: 12, testSize: 0, seed: 1);
        var options = new R1GrpoOptions { Steps = 2, PromptsPerStep = 2, GroupSize = 4, MaxResponseLength = 8, HeldOutProblems = 4, EvaluateEvery = 2, SolveSamples = 1 };
        using var strategy = new R1GrpoStrategy(options);
        var train = new RecordingMeter();
        var curves = new Curves();
        await strategy.PrepareAsync(Context(split.Train, train, curves));
        IReadOnlyList<Problem> heldOut = split.Train.TakeLast(4).ToList();

        var before = new RecordingMeter();
        await _host.GenerateAsync(_session.Base, heldOut.Select(p => p.Prompt).ToList(), Reasoning.Policy.Generation.SamplingOptions.Greedy(8), before);
        var after = new RecordingMeter();
        await strategy.SolveAsync(heldOut.Select(p => p.ToQuestion()).ToList(), Context(split.Train, after));

        long rollouts = (long)curves.Points["grpo/generated_tokens"].Sum(p => p.Value);
        Assert.Equal(rollouts + before.Total.GeneratedTokens + after.Total.GeneratedTokens, train.Total.GeneratedTokens);
        Assert.Equal([0, 2], curves.Points["grpo/held_out_accuracy"].Select(p => p.Step));
    }

    [Fact]
    public async Task TooFewTrainProblemsForTheHeldOutShareIsAClearError()
    {
        using var strategy = new R1GrpoStrategy(new R1GrpoOptions { HeldOutProblems = 10 });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => strategy.PrepareAsync(Context(ProblemSplit.Create(Arithmetic, 1, 10, 0, 1).Train, new RecordingMeter())));
        Assert.Contains("held_out_problems is 10", error.Message);
    }

    [Fact]
    public async Task SolveBeforePrepareIsAClearError()
    {
        using var strategy = new R1GrpoStrategy(new R1GrpoOptions());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => strategy.SolveAsync([new Question("q", "1+1")], Context([], new RecordingMeter())));
        Assert.Contains("PrepareAsync must run", error.Message);
    }
}
