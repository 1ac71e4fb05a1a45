using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;
using Reasoning.Core.Voting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;

namespace Reasoning.Policy.Strategies;

/// <summary>Options of <see cref="SelfConsistencyStrategy"/>.</summary>
public sealed class SelfConsistencyOptions
{
    /// <summary>Samples per question (k).</summary>
    [Description("samples per question (k)")]
    [Range(1, int.MaxValue)]
    public int Samples { get; set; } = 8;

    /// <summary>Sampling temperature.</summary>
    [Description("sampling temperature")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double Temperature { get; set; } = 0.8;

    /// <summary>Nucleus sampling threshold.</summary>
    [Description("nucleus sampling threshold (top-p)")]
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double TopP { get; set; } = 1.0;

    /// <summary>Longest solution, in tokens.</summary>
    [Description("longest solution, in tokens")]
    [Range(1, int.MaxValue)]
    public int MaxNewTokens { get; set; } = 128;
}

/// <summary>
/// <c>self-consistency</c> (Wang et al. 2023): k sampled solutions per question, the majority
/// answer wins (ties: the answer sampled first); answers are read and compared by the task's solution format, so
/// on free text <c>1,234</c> and <c>1234</c> are one answer (<see cref="MajorityVote"/>). No training. All
/// k × questions rows go to the host at once, which batches them.
/// </summary>
public sealed class SelfConsistencyStrategy(SelfConsistencyOptions options) : IStrategy
{
    public const string StrategyName = "self-consistency";

    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<SelfConsistencyOptions>(
        StrategyName, "k sampled solutions per question, the majority answer wins (Wang et al. 2023); no training", o => new SelfConsistencyStrategy(o));

    public string Name => StrategyName;

    public Task PrepareAsync(StrategyContext context) => Task.CompletedTask;

    public async Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        int k = options.Samples;
        var prompts = questions.SelectMany(q => Enumerable.Repeat(q.Prompt, k)).ToList();
        var sampling = new SamplingOptions(options.Temperature, options.TopP, options.MaxNewTokens, StopAt.EndOfAnswer, Seed: context.Seed);
        IReadOnlyList<Completion> completions = await policy.Host.GenerateAsync(policy.Base, prompts, sampling, context.Meter, context.Cancellation);
        return questions.Select((q, i) => MajorityVote.Attempt(q.Id, completions.Skip(i * k).Take(k).Select(c => c.Text).ToList(), context.Task.SolutionFormat)).ToList();
    }
}
