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

/// <summary>Options of <see cref="MeteredStrategy"/>.</summary>
public sealed class MeteredOptions
{
    /// <summary>How much work each call does.</summary>
    [System.ComponentModel.Description("work units per call")]
    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int Units { get; set; } = 1;
}

/// <summary>
/// Work of a known cost, for budget calibration: <c>Prepare</c> charges 1,000 FLOPs per unit, <c>Solve</c> 10 per unit
/// and question; it answers nothing. It notes whether the questions it was asked were train problems.
/// </summary>
internal sealed class MeteredStrategy(MeteredOptions options) : IStrategy
{
    public static readonly System.Collections.Concurrent.ConcurrentQueue<(int Units, int Questions, int AmongTrain)> Solved = new();

    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<MeteredOptions>("metered", "work of a known cost", o => new MeteredStrategy(o));

    public string Name => "metered";

    public Task PrepareAsync(StrategyContext context)
    {
        context.Meter.Record(new Reasoning.Core.Accounting.Usage(0, 0, 0, 1000.0 * options.Units));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        var train = context.TrainProblems.Select(p => p.Id).ToHashSet();
        Solved.Enqueue((options.Units, questions.Count, questions.Count(q => train.Contains(q.Id))));
        foreach (Question _ in questions)
        {
            context.Meter.Record(new Reasoning.Core.Accounting.Usage(0, 0, 0, 10.0 * options.Units));
        }

        return Task.FromResult<IReadOnlyList<Attempt>>(questions.Select(q => new Attempt(q.Id, null, "")).ToList());
    }
}
