using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reasoning.Core.Accounting;
using Reasoning.Core.Options;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using Reasoning.Tests.Policy;

namespace Reasoning.Tests.Experiments.Plugins;

/// <summary>The sample plug-in, loaded as the runner loads it, run on a micro model through a real host.</summary>
[Collection(LeakChecks.Name)]
public sealed class ShortestOfNSampleTests : IDisposable
{
    private readonly PolicyHost _host = PolicyHostTests.StartHost();
    private readonly ServiceProvider _services;
    private readonly PolicySession _session;

    public ShortestOfNSampleTests()
    {
        _session = new PolicySession(_host, _host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 8), PolicyTestModels.Tokenizer));
        _services = new ServiceCollection().AddSingleton(_session).BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        _host.Dispose();
    }

    [Fact]
    public async Task TheSampleAnswersWithTheShortestWellFormedOfItsSamples()
    {
        const int n = 5;
        StrategyDescriptor descriptor = PluginLoaderTests.LoadSample();
        object options = OptionsSchema.CreateDefault(descriptor.OptionsType);
        descriptor.OptionsType.GetProperty("Samples")!.SetValue(options, n);
        descriptor.OptionsType.GetProperty("Temperature")!.SetValue(options, 1.0);
        descriptor.OptionsType.GetProperty("MaxNewTokens")!.SetValue(options, 20);
        Assert.Empty(OptionsSchema.Validate(options));
        IStrategy strategy = descriptor.Create(options);

        IReadOnlyList<Question> questions = ProblemSplit.Create(TaskTestDataRegistry.Arithmetic, 2, trainSize: 0, testSize: 4, seed: 1).Test.Select(p => p.ToQuestion()).ToList();
        var meter = new RecordingMeter();
        var context = new StrategyContext(
            _services, TaskTestDataRegistry.Arithmetic, [], Seed: 3, meter, NullLogger.Instance, new Progress<string>(), Path.GetTempPath(), CancellationToken.None);
        IReadOnlyList<Attempt> attempts = await strategy.SolveAsync(questions, context);
        Assert.Equal(questions.Select(q => q.Id), attempts.Select(a => a.QuestionId));

        // The same n samples per question, drawn directly with the same sampling options.
        var sampling = new SamplingOptions(Temperature: 1.0, TopP: 1.0, MaxNewTokens: 20, StopAt.EndOfAnswer, Seed: 3);
        IReadOnlyList<Completion> samples = await _host.GenerateAsync(
            _session.Base, questions.SelectMany(q => Enumerable.Repeat(q.Prompt, n)).ToList(), sampling, NullUsageMeter.Instance);
        for (int q = 0; q < questions.Count; q++)
        {
            var texts = samples.Skip(q * n).Take(n).Select(c => c.Text).ToList();
            string expected = texts.Where(IsWellFormed).MinBy(t => t.Length) ?? texts[0]; // MinBy keeps the first of equals
            Assert.Equal(expected, attempts[q].Text);
            Assert.Equal(SolutionText.ParseCompletion(expected).Answer, attempts[q].Answer);
        }

        Assert.Equal(samples.Sum(s => s.Tokens.Count), meter.Total.GeneratedTokens);
    }

    /// <summary>The selection rule on texts whose answer is known (an untrained model rarely writes a well-formed one).</summary>
    [Theory]
    [InlineData(1, new[] { "3+4=7\nanswer: 7\n", "answer: 7\n", "answer: 8\n" })] // shortest; ties go to the first
    [InlineData(1, new[] { "answer: 1\u0001\n", "1+1=2\nanswer: 2\n" })] // a malformed answer is not well-formed
    [InlineData(0, new[] { "1+1=2\nanswer: 2\n", "1+\u0002\nanswer: 2\n" })] // nor is a malformed step, however short
    [InlineData(0, new[] { "1+1=2\nans", "answer: 2" })] // none well-formed (cut off): the first sample
    public void TheShortestWellFormedCompletionIsChosen(int expected, string[] completions) =>
        Assert.Equal(expected, IndexOfShortestWellFormed(LineSolutionFormat.Instance, completions));

    /// <summary>The same rule on a dataset's free text: well-formed is what the task's format says (<c>#### 42</c> here).</summary>
    [Theory]
    [InlineData(1, new[] { "Half of 84 is 42.\n#### 42\n", "#### 42\n", "answer: 42\n" })] // "answer: 42" is no answer in this format
    [InlineData(0, new[] { "Half of 84 is 42.\n#### 42\n", "Half of \u0001 84.\n#### 42\n" })] // a malformed step
    [InlineData(0, new[] { "answer: 42\n", "42\n" })] // none well-formed: the first sample
    public void TheTasksFormatDecidesWhatIsWellFormed(int expected, string[] completions) =>
        Assert.Equal(expected, IndexOfShortestWellFormed(new FreeTextFormat(AnswerFormat.Gsm8k, "\n"), completions));

    /// <summary>The sample's own selection rule, called as the plug-in is loaded.</summary>
    private static object? IndexOfShortestWellFormed(ISolutionFormat format, string[] completions)
    {
        Type strategy = PluginLoaderTests.LoadSample().Create(OptionsSchema.CreateDefault(PluginLoaderTests.LoadSample().OptionsType)).GetType();
        return strategy.GetMethod("IndexOfShortestWellFormed")!.Invoke(null, [format, completions]);
    }

    private static bool IsWellFormed(string completion)
    {
        ParsedSolution parsed = SolutionText.ParseCompletion(completion);
        return parsed.HasAnswer && parsed.MalformedLines == 0;
    }
}
