using System.ComponentModel;
using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;

namespace Reasoning.Samples.ShortestOfN;

/// <summary>
/// Samples n solutions per question and answers with the shortest well-formed one: a toy
/// length-prior baseline, and the how-to for writing a strategy outside the framework. It reads solutions
/// through the task's solution format (<c>context.Task.SolutionFormat</c>), never a format of its own, so it
/// works on the synthetic tasks (one step per line, <c>answer: 29</c>) and on datasets (free text, <c>#### 42</c>)
/// alike.
/// <para>
/// What makes it a plug-in: a public, concrete class implementing <see cref="IStrategy"/>, with a public
/// constructor taking its options object (or nothing). The runner finds it by full type name, binds
/// <see cref="ShortestOfNOptions"/> from the spec, validates the ranges, then calls this constructor.
/// </para>
/// </summary>
[Description("n sampled solutions per question, the shortest well-formed one wins; no training")]
public sealed class ShortestOfNStrategy : IStrategy
{
    /// <summary>Above this many samples per question a run is more search than baseline.</summary>
    public const int MaxSamples = 64;

    private readonly ShortestOfNOptions _options;

    public ShortestOfNStrategy(ShortestOfNOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // [Range] has checked each option on its own by now; rules it cannot express go here, and the
        // message reaches the user as it is, so say what is wrong and what to do.
        if (options.Samples > MaxSamples)
        {
            throw new ArgumentException(
                $"samples above {MaxSamples} are not supported (got {options.Samples}); use a search strategy for wider sampling", nameof(options));
        }

        _options = options;
    }

    /// <summary>Specs name a plug-in by its full type name, so records use the same.</summary>
    public string Name => typeof(ShortestOfNStrategy).FullName!;

    /// <summary>Nothing to train.</summary>
    public Task PrepareAsync(StrategyContext context) => Task.CompletedTask;

    public async Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        // The runner registers the policy of this unit of work; every strategy generates through its host,
        // which batches rows across requests and charges the work to context.Meter.
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        int n = _options.Samples;

        // One request for all n × questions rows: question q's samples are rows q*n .. q*n+n-1.
        // The seed comes from the context, so a run is repeatable.
        var prompts = questions.SelectMany(q => Enumerable.Repeat(q.Prompt, n)).ToList();
        var sampling = new SamplingOptions(_options.Temperature, TopP: 1.0, _options.MaxNewTokens, StopAt.EndOfAnswer, Seed: context.Seed);
        IReadOnlyList<Completion> completions = await policy.Host.GenerateAsync(policy.Base, prompts, sampling, context.Meter, context.Cancellation);

        // The task says how its solutions are written; the same format reads the answer the runner verifies.
        ISolutionFormat format = context.Task.SolutionFormat;
        var attempts = new List<Attempt>(questions.Count);
        for (int q = 0; q < questions.Count; q++)
        {
            var texts = completions.Skip(q * n).Take(n).Select(c => c.Text).ToList();
            string chosen = texts[IndexOfShortestWellFormed(format, texts)];
            attempts.Add(new Attempt(questions[q].Id, format.ParseCompletion(chosen).Answer, chosen));
        }

        return attempts;
    }

    /// <summary>
    /// The index of the shortest completion well-formed in <paramref name="format"/> (fewest characters; ties go to
    /// the one sampled first), or 0 when none is well-formed. Model output is untrusted: this never throws.
    /// </summary>
    public static int IndexOfShortestWellFormed(ISolutionFormat format, IReadOnlyList<string> completions)
    {
        int best = -1;
        for (int i = 0; i < completions.Count; i++)
        {
            if (IsWellFormed(format, completions[i]) && (best < 0 || completions[i].Length < completions[best].Length))
            {
                best = i;
            }
        }

        return Math.Max(best, 0);
    }

    /// <summary>
    /// Well-formed: every step parses (no malformed step) and the text ends in a complete answer step.
    /// <see cref="ISolutionFormat.ParseCompletion"/> of the task's format is the framework's one parser for
    /// that task, so this agrees with how the runner reads the answer.
    /// </summary>
    public static bool IsWellFormed(ISolutionFormat format, string completion)
    {
        ParsedSolution parsed = format.ParseCompletion(completion);
        return parsed.HasAnswer && parsed.MalformedLines == 0;
    }
}
