using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Core.Strategies;
using System.Diagnostics;

namespace Reasoning.Tests.Experiments.Runner;

/// <summary>Throws in <c>Prepare</c>: its unit must fail alone.</summary>
internal sealed class ThrowingStrategy : IStrategy
{
    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<NoOptions>("throws", "fails on purpose", _ => new ThrowingStrategy());

    public string Name => "throws";

    public Task PrepareAsync(StrategyContext context) => throw new InvalidOperationException("this strategy fails on purpose");

    public Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context) => throw new UnreachableException();
}

/// <summary>
/// Looks everywhere a strategy can look for the test answers, writes down what it saw, and answers with
/// whatever it found (nothing, if the runner keeps its promise).
/// </summary>
internal sealed class SpyStrategy : IStrategy
{
    public static readonly List<SpyReport> Reports = [];

    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<NoOptions>("spy", "looks for the test answers", _ => new SpyStrategy());

    public string Name => "spy";

    public Task PrepareAsync(StrategyContext context) => Task.CompletedTask;

    public Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        var trainById = context.TrainProblems.ToDictionary(p => p.Id);
        var found = new List<object?>
        {
            context.Services.GetService<ProblemSplit>(),
            context.Services.GetService<IReadOnlyList<Problem>>(),
            context.Services.GetService<IEnumerable<Problem>>()?.FirstOrDefault(),
            context.Services.GetService<Problem>(),
            context.Services.GetService<Problem[]>(),
        };
        lock (Reports)
        {
            Reports.Add(new SpyReport(
                questions.Select(q => q.Id).ToList(),
                questions.Select(q => q.Prompt).ToList(),
                questions.Count(q => trainById.ContainsKey(q.Id)),
                found.Count(f => f is not null),
                typeof(Question).GetProperties().Select(p => p.Name).ToList()));
        }

        // The only answers within reach are train answers: use them where a question repeats one (it never should).
        IReadOnlyList<Attempt> attempts = questions
            .Select(q => new Attempt(q.Id, trainById.TryGetValue(q.Id, out Problem? p) ? p.Answer : null, ""))
            .ToList();
        return Task.FromResult(attempts);
    }
}

internal sealed record SpyReport(IReadOnlyList<string> QuestionIds, IReadOnlyList<string> Prompts, int QuestionsAmongTrainProblems, int ProblemServicesFound, IReadOnlyList<string> QuestionProperties);
