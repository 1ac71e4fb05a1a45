using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reasoning.Core.Accounting;
using Reasoning.Core.Storage;
using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;
using Reasoning.Search.Mcts;
using Reasoning.Search.Mcts.Strategies;
using Reasoning.Tests.Policy;

namespace Reasoning.Tests.Search.Strategies;

/// <summary>
/// The search strategies on a real (untrained, micro) policy and reward model: every token they sample — kept
/// or discarded — and every token the reward model reads reaches the meter.
/// </summary>
[Collection(LeakChecks.Name)]
public sealed class SearchStrategyTests : IDisposable
{
    private static readonly IReasoningTask Arithmetic = TaskRegistry.CreateDefault().Get("arithmetic");
    private readonly PolicyHost _host = PolicyHostTests.StartHost();
    private readonly PolicySession _session;
    private readonly ServiceProvider _services;
    private readonly RewardModel _reward;

    public SearchStrategyTests()
    {
        _session = new PolicySession(_host, _host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 3), PolicyTestModels.Tokenizer), "micro");
        _services = new ServiceCollection().AddSingleton(_session).BuildServiceProvider();
        _reward = RewardModel.FromPolicy(_session.Base.Model, PolicyTestModels.Tokenizer, RewardModelKind.ProcessReward, seed: 4);
    }

    public void Dispose()
    {
        _reward.Dispose();
        _services.Dispose();
        _host.Dispose();
    }

    private static IReadOnlyList<Question> Questions(int count) =>
        ProblemSplit.Create(Arithmetic, 2, trainSize: 0, testSize: count, seed: 1).Test.Select(p => p.ToQuestion()).ToList();

    private StrategyContext Context(RecordingMeter meter, IReadOnlyList<Problem>? train = null, ModelCache? cache = null) => new(
        _services, Arithmetic, train ?? [], 7, meter, NullLogger.Instance, new Progress<string>(), Path.GetTempPath(), CancellationToken.None, Cache: cache);

    [Fact]
    public async Task EveryCandidateStepIsChargedKeptOrNot()
    {
        IReadOnlyList<Question> questions = Questions(3);
        var meter = new RecordingMeter();
        var environment = new PolicySearchEnvironment(questions, _session, _reward, Context(meter), temperature: 1.0, maxStepTokens: 12, ScoreAggregation.Last);

        var states = new[] { new SearchState(0, []), new SearchState(1, ["1+2=3"]), new SearchState(2, []) };
        IReadOnlyList<IReadOnlyList<StepCandidate>> candidates = await environment.ExpandAsync(states, samplesPerState: 5, CancellationToken.None);

        Assert.All(candidates, c => Assert.Equal(5, c.Count));
        long sampled = candidates.SelectMany(c => c).Sum(c => c.Tokens);
        Assert.Equal(sampled, meter.Total.GeneratedTokens);
        // Text and tokens agree but for special tokens an untrained policy may emit, which decode to nothing.
        Assert.All(candidates.SelectMany(c => c), c => Assert.True(c.Tokens >= c.Text.Length + (c.Finished ? 1 : 0)));
        Assert.True(meter.Total.ProcessedTokens >= sampled && meter.Total.Flops > 0);
    }

    [Fact]
    public async Task ScoringChargesEveryTokenTheRewardModelReads()
    {
        IReadOnlyList<Question> questions = Questions(1);
        var meter = new RecordingMeter();
        var environment = new PolicySearchEnvironment(questions, _session, _reward, Context(meter), 1.0, 12, ScoreAggregation.Last);

        IReadOnlyList<double> scores = await environment.ScoreAsync([new SearchState(0, ["1+2=3", "3*4=12"])], CancellationToken.None);

        Assert.InRange(Assert.Single(scores), 0, 1);
        long read = PolicyTestModels.Tokenizer.EncodePrompt(questions[0].Prompt).Count + "1+2=3\n".Length + "3*4=12\n".Length;
        Assert.Equal(new Reasoning.Core.Accounting.Usage(0, read, 0, _reward.ForwardFlops(read, read * (read + 1) / 2.0)), meter.Total);
    }

    [Fact]
    public async Task MctsChargesTheTokensOfEveryBranchItGrew()
    {
        IReadOnlyList<Question> questions = Questions(2);
        var meter = new RecordingMeter();
        var environment = new PolicySearchEnvironment(questions, _session, _reward, Context(meter), 1.0, 10, ScoreAggregation.Last);
        var options = new MctsOptions { Simulations = 5, CandidatesPerExpansion = 3, MaxDepth = 4 };

        long sampled = 0, candidates = 0;
        ExpandSteps counting = async (states, k, cancellation) =>
        {
            IReadOnlyList<IReadOnlyList<StepCandidate>> expanded = await environment.ExpandAsync(states, k, cancellation);
            sampled += expanded.Sum(c => c.Sum(x => x.Tokens));
            candidates += expanded.Sum(c => c.Count);
            return expanded;
        };

        IReadOnlyList<MctsResult> results = await MctsSearch.RunAsync(questions.Count, options, counting, environment.ScoreAsync, Arithmetic.SolutionFormat.IsAnswerStep, seed: 1);

        // Every candidate the policy sampled became (part of) a node, chosen or not, and every token of it was charged.
        long nodes = results.Sum(r => Enumerable.Range(1, r.Tree.Count - 1).Sum(node => (long)r.Tree.Copies[node]));
        Assert.Equal(candidates, nodes);
        Assert.True(sampled > 0);
        Assert.Equal(sampled, meter.Total.GeneratedTokens);
    }

    [Fact]
    public async Task ALongSearchLeavesNoLiveTensors()
    {
        IReadOnlyList<Question> questions = Questions(2);
        var environment = new PolicySearchEnvironment(questions, _session, _reward, Context(new RecordingMeter()), 1.0, 8, ScoreAggregation.Last);
        var options = new MctsOptions { Simulations = 3, CandidatesPerExpansion = 2, MaxDepth = 3 };
        await MctsSearch.RunAsync(questions.Count, options, environment.ExpandAsync, environment.ScoreAsync, Arithmetic.SolutionFormat.IsAnswerStep, seed: 0); // warm-up
        long before = BatchedSamplerTests.LiveTensors();
        for (int i = 0; i < 20; i++)
        {
            await MctsSearch.RunAsync(questions.Count, options, environment.ExpandAsync, environment.ScoreAsync, Arithmetic.SolutionFormat.IsAnswerStep, seed: i);
        }

        Assert.Equal(before, BatchedSamplerTests.LiveTensors());
    }

    [Fact]
    public async Task MonteCarloRolloutsAreChargedToTraining()
    {
        IReadOnlyList<Problem> train = ProblemSplit.Create(Arithmetic, 2, trainSize: 6, testSize: 0, seed: 2).Train;
        var settings = new BestOfNStrategyOptions { LabelProblems = 6, SamplesPerProblem = 2, RewardSteps = 2, RewardBatchSize = 4, MaxNewTokens = 24, HeldOutFraction = 0 };

        var exactMeter = new RecordingMeter();
        PreparedRewardModel exact = await RewardModelPreparation.PrepareAsync(settings, Context(exactMeter, train));
        exact.Model.Dispose();

        settings.Labels = StepLabelSource.MonteCarlo;
        settings.Rollouts = 3;
        var monteCarloMeter = new RecordingMeter();
        PreparedRewardModel monteCarlo = await RewardModelPreparation.PrepareAsync(settings, Context(monteCarloMeter, train));
        monteCarlo.Model.Dispose();

        // The same samples are labelled both ways; Monte-Carlo labelling adds k rollouts of at least one token per step prefix.
        Assert.True(exactMeter.Total.GeneratedTokens > 0 && exactMeter.Total.TrainedTokens > 0);
        Assert.True(monteCarloMeter.Total.GeneratedTokens > exactMeter.Total.GeneratedTokens,
            $"Monte-Carlo {monteCarloMeter.Total.GeneratedTokens} vs exact {exactMeter.Total.GeneratedTokens}");
    }

    [Fact]
    public async Task AVerifierFineTunedLongerIsChargedItsFineTuning()
    {
        IReadOnlyList<Problem> train = ProblemSplit.Create(Arithmetic, 2, trainSize: 6, testSize: 0, seed: 2).Train;
        var settings = new BestOfNStrategyOptions { LabelProblems = 6, SamplesPerProblem = 2, RewardSteps = 2, RewardBatchSize = 4, MaxNewTokens = 24, HeldOutFraction = 0 };
        var fromBase = new RecordingMeter();
        (await RewardModelPreparation.PrepareAsync(settings, Context(fromBase, train))).Model.Dispose();

        settings.RewardInitSteps = 3;
        var fromLonger = new RecordingMeter();
        (await RewardModelPreparation.PrepareAsync(settings, Context(fromLonger, train))).Model.Dispose();

        // The same samples and labels; on top, three fine-tuning steps over batches of the 6 train problems.
        Assert.Equal(fromBase.Total.GeneratedTokens, fromLonger.Total.GeneratedTokens);
        long sftTokens = fromLonger.Total.TrainedTokens - fromBase.Total.TrainedTokens;
        Assert.True(sftTokens >= 3 * 6 * 4, $"fine-tuning charged {sftTokens} trained tokens");
    }

    [Fact]
    public async Task ACachedRewardModelIsChargedAtItsRecordedCost()
    {
        IReadOnlyList<Problem> train = ProblemSplit.Create(Arithmetic, 2, trainSize: 6, testSize: 0, seed: 2).Train;
        var settings = new BeamStrategyOptions { LabelProblems = 6, SamplesPerProblem = 2, RewardSteps = 2, RewardBatchSize = 4, MaxNewTokens = 24, HeldOutFraction = 0 };
        string cache = Directory.CreateTempSubdirectory("reasoning-reward-cache-").FullName;
        try
        {
            var first = new RecordingMeter();
            var unit = new ModelCache(cache, "the unit that trains it");
            PreparedRewardModel trained = await RewardModelPreparation.PrepareAsync(settings, Context(first, train, unit));
            // Until its unit commits, the model is that unit's alone: another unit trains its own.
            PreparedRewardModel another = await RewardModelPreparation.PrepareAsync(settings, Context(new RecordingMeter(), train, new ModelCache(cache, "another")));
            Assert.False(another.Reused);
            another.Model.Dispose();
            // The unit that wrote it sees it at once (a budget's calibration runs and the unit share it).
            PreparedRewardModel own = await RewardModelPreparation.PrepareAsync(settings, Context(new RecordingMeter(), train, unit));
            Assert.True(own.Reused);
            own.Model.Dispose();

            unit.Commit();
            Assert.Empty(unit.Written);
            var second = new RecordingMeter();
            PreparedRewardModel reused = await RewardModelPreparation.PrepareAsync(settings, Context(second, train, new ModelCache(cache, "a later unit")));

            Assert.False(trained.Reused);
            Assert.True(reused.Reused);
            Assert.Equal(first.Total, second.Total); // charged in full, though nothing was computed again
            var state = new SearchState(0, ["1+2=3"]);
            var questions = Questions(1);
            double a = (await new PolicySearchEnvironment(questions, _session, trained.Model, Context(new RecordingMeter()), 1, 8, ScoreAggregation.Last).ScoreAsync([state], default))[0];
            double b = (await new PolicySearchEnvironment(questions, _session, reused.Model, Context(new RecordingMeter()), 1, 8, ScoreAggregation.Last).ScoreAsync([state], default))[0];
            Assert.Equal(a, b, 6);
            trained.Model.Dispose();
            reused.Model.Dispose();
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Theory]
    [InlineData(RewardHead.Implicit, 0)]
    [InlineData(RewardHead.ScalarPlusImplicit, 2)]
    public async Task AnImplicitRewardModelIsCachedWithItsHeadAndLeavesTheBasePolicyAlive(RewardHead head, int initSteps)
    {
        IReadOnlyList<Problem> train = ProblemSplit.Create(Arithmetic, 2, trainSize: 6, testSize: 0, seed: 2).Train;
        var settings = new BeamStrategyOptions
        {
            LabelProblems = 6, SamplesPerProblem = 2, RewardSteps = 3, RewardBatchSize = 4, MaxNewTokens = 24, HeldOutFraction = 0,
            RewardHead = head, RewardBeta = 0.5, RewardInitSteps = initSteps,
        };
        string cache = Directory.CreateTempSubdirectory("reasoning-reward-cache-").FullName;
        try
        {
            var questions = Questions(1);
            var state = new SearchState(0, ["1+2=3"]);
            var unit = new ModelCache(cache);
            PreparedRewardModel trained = await RewardModelPreparation.PrepareAsync(settings, Context(new RecordingMeter(), train, unit));
            unit.Commit();
            double a = (await new PolicySearchEnvironment(questions, _session, trained.Model, Context(new RecordingMeter()), 1, 8, ScoreAggregation.Last).ScoreAsync([state], default))[0];
            trained.Model.Dispose();
            PreparedRewardModel reused = await RewardModelPreparation.PrepareAsync(settings, Context(new RecordingMeter(), train, new ModelCache(cache)));
            double b = (await new PolicySearchEnvironment(questions, _session, reused.Model, Context(new RecordingMeter()), 1, 8, ScoreAggregation.Last).ScoreAsync([state], default))[0];
            reused.Model.Dispose();

            Assert.True(reused.Reused);
            var model = Assert.IsType<RewardModel>(reused.Model);
            Assert.Equal((head, 0.5), (model.Head, model.Beta));
            Assert.Equal(a, b, 6);
            // The base policy is the implicit reward's reference, not part of the reward model: it outlives it.
            Assert.NotEmpty((await _host.GenerateAsync(_session.Base, ["1+2"], Reasoning.Policy.Generation.SamplingOptions.Greedy(4), NullUsageMeter.Instance)).Single().Tokens);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public void TheHeadIsPartOfTheRewardModelsCacheKeyOnlyWhenItIsNotTheDefault()
    {
        var settings = new BeamStrategyOptions();
        string scalar = settings.Describe();
        settings.RewardBeta = 2;
        Assert.Equal(scalar, settings.Describe()); // beta means nothing to the scalar head
        settings.RewardHead = RewardHead.Implicit;
        string implicitTwo = settings.Describe();
        settings.RewardBeta = 1;
        Assert.NotEqual(scalar, implicitTwo);
        Assert.NotEqual(implicitTwo, settings.Describe());
        Assert.StartsWith(scalar, implicitTwo);
    }
}
