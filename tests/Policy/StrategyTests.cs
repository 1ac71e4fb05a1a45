using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reasoning.Core.Accounting;
using Reasoning.Core.Options;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Core.Voting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Strategies;

namespace Reasoning.Tests.Policy;

public sealed class StrategyTests : IDisposable
{
    private readonly PolicyHost _host = PolicyHostTests.StartHost();
    private readonly ServiceProvider _services;
    private readonly PolicySession _session;

    public StrategyTests()
    {
        _session = new PolicySession(_host, _host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 8), PolicyTestModels.Tokenizer));
        _services = new ServiceCollection().AddSingleton(_session).BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        _host.Dispose();
    }

    private StrategyContext Context(long seed = 1) => new(
        _services, TaskTestDataRegistry.Arithmetic, [], seed, new RecordingMeter(), NullLogger.Instance, new Progress<string>(), Path.GetTempPath(), CancellationToken.None);

    private static IReadOnlyList<Question> Questions() =>
        ProblemSplit.Create(TaskTestDataRegistry.Arithmetic, 2, trainSize: 0, testSize: 5, seed: 1).Test.Select(p => p.ToQuestion()).ToList();

    [Fact]
    public async Task GreedyAnswersEveryQuestionWithTheGreedyCompletion()
    {
        IReadOnlyList<Question> questions = Questions();
        IReadOnlyList<Attempt> attempts = await new GreedyStrategy(new GreedyOptions { MaxNewTokens = 24 }).SolveAsync(questions, Context());
        Assert.Equal(questions.Select(q => q.Id), attempts.Select(a => a.QuestionId));
        IReadOnlyList<Completion> direct = await _host.GenerateAsync(_session.Base, questions.Select(q => q.Prompt).ToList(), SamplingOptions.Greedy(24), NullUsageMeter.Instance);
        Assert.Equal(direct.Select(c => c.Text), attempts.Select(a => a.Text));
        Assert.Equal(direct.Select(c => SolutionText.ParseCompletion(c.Text).Answer), attempts.Select(a => a.Answer));
    }

    [Fact]
    public async Task SelfConsistencyReturnsTheMajorityOfItsSamplesAndChargesThemAll()
    {
        IReadOnlyList<Question> questions = Questions();
        var options = new SelfConsistencyOptions { Samples = 6, Temperature = 1.0, MaxNewTokens = 20 };
        StrategyContext context = Context(seed: 3);
        IReadOnlyList<Attempt> attempts = await new SelfConsistencyStrategy(options).SolveAsync(questions, context);

        // The same k samples, drawn directly: the attempt's answer is their majority.
        var sampling = new SamplingOptions(1.0, 1.0, 20, StopAt.EndOfAnswer, Seed: 3);
        IReadOnlyList<Completion> samples = await _host.GenerateAsync(_session.Base, questions.SelectMany(q => Enumerable.Repeat(q.Prompt, 6)).ToList(), sampling, NullUsageMeter.Instance);
        for (int q = 0; q < questions.Count; q++)
        {
            var answers = samples.Skip(q * 6).Take(6).Select(c => SolutionText.ParseCompletion(c.Text).Answer).ToList();
            Assert.Equal(MajorityVote.Choose(answers, LineSolutionFormat.Instance).Answer, attempts[q].Answer);
        }

        Assert.Equal(samples.Sum(s => s.Tokens.Count), ((RecordingMeter)context.Meter).Total.GeneratedTokens);
    }

    [Fact]
    public void SelfConsistencyOptionsNameTheirProblems()
    {
        var errors = OptionsSchema.Validate(new SelfConsistencyOptions { Samples = 0, Temperature = 0, TopP = 1.5 }).Select(e => e.ToString()).ToList();
        Assert.Equal(
            ["samples: must be at least 1, not 0", "temperature: must be greater than 0, not 0", "top_p: must be in (0, 1], not 1.5"],
            errors);
    }
}

internal static class TaskTestDataRegistry
{
    public static IReasoningTask Arithmetic { get; } = TaskRegistry.CreateDefault().Get("arithmetic");
}
