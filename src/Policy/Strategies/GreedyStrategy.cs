using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;

namespace Reasoning.Policy.Strategies;

/// <summary>Options of <see cref="GreedyStrategy"/>.</summary>
public sealed class GreedyOptions
{
    /// <summary>Longest solution, in tokens.</summary>
    [Description("longest solution, in tokens")]
    [Range(1, int.MaxValue)]
    public int MaxNewTokens { get; set; } = 128;
}

/// <summary>
/// <c>greedy</c>: the base policy's most likely solution, one per question, its answer read by the task's solution
/// format (<see cref="Core.Tasks.IReasoningTask.SolutionFormat"/>). No training.
/// </summary>
public sealed class GreedyStrategy(GreedyOptions options) : IStrategy
{
    public const string StrategyName = "greedy";

    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<GreedyOptions>(
        StrategyName, "the base policy's most likely solution (temperature 0); no training", o => new GreedyStrategy(o));

    public string Name => StrategyName;

    public Task PrepareAsync(StrategyContext context) => Task.CompletedTask;

    public async Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        IReadOnlyList<Completion> completions = await policy.Host.GenerateAsync(
            policy.Base, questions.Select(q => q.Prompt).ToList(), SamplingOptions.Greedy(options.MaxNewTokens), context.Meter, context.Cancellation);
        return questions.Select((q, i) => AttemptOf(q.Id, completions[i].Text, context.Task.SolutionFormat)).ToList();
    }

    /// <summary>The attempt a completion makes: its answer as <paramref name="format"/> reads it (none when it has none), and the text.</summary>
    internal static Attempt AttemptOf(string questionId, string completion, ISolutionFormat format) =>
        new(questionId, format.ParseCompletion(completion).Answer, completion);
}
