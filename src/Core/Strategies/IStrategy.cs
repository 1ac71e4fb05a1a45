using Microsoft.Extensions.Logging;
using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Core.Storage;
using Reasoning.Core.Tasks;

namespace Reasoning.Core.Strategies;

/// <summary>
/// A way of answering questions: greedy decoding, self-consistency, PRM-guided search, GRPO...
/// <see cref="PrepareAsync"/> runs in the "train" phase (it may train models or do nothing);
/// <see cref="SolveAsync"/> runs in the "inference" phase and sees questions only, never answers:
/// the runner, not the strategy, checks them. Strategies hold no static state.
/// </summary>
public interface IStrategy
{
    /// <summary>The strategy's name in experiment specs, e.g. <c>greedy</c>.</summary>
    string Name { get; }

    /// <summary>Trains whatever the strategy needs from the task's train problems.</summary>
    Task PrepareAsync(StrategyContext context);

    /// <summary>One attempt per question, in the order given.</summary>
    Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context);
}

/// <summary>What a strategy gets to work with.</summary>
/// <param name="Services">Shared services; the policy host is resolved from here.</param>
/// <param name="Task">The task being solved (its verifier and step checker may be used on train problems).</param>
/// <param name="TrainProblems">Train problems, with their answers.</param>
/// <param name="Seed">The seed of this unit of work; every random choice derives from it.</param>
/// <param name="Meter">Where the host charges the strategy's model work (strategies never record costs themselves).</param>
/// <param name="Logger">Logging.</param>
/// <param name="Progress">Short progress messages for the console.</param>
/// <param name="ScratchFolder">A folder of the strategy's own, for checkpoints and caches.</param>
/// <param name="Cancellation">Stops the work.</param>
/// <param name="MetricLog">Where training curves go (reward, loss, response length per step); null discards them. Use <see cref="Metrics"/>.</param>
/// <param name="Cache">
/// Models shared by every unit of the experiment's output, cached under a hash of everything that determines them
/// (so strategies with the same reward-model settings train it once); null: no cache. Entries a unit writes become
/// visible to others only when the unit's records are committed (<see cref="ModelCache"/>). A strategy that takes a
/// model from the cache charges its recorded cost (<see cref="IUsageMeter.RecordReused"/>).
/// </param>
/// <param name="SnapshotEvery">Steps between resumable snapshots of the strategy's training loops (the spec's <c>snapshot_every</c>); 0 for none.</param>
public sealed record StrategyContext(
    IServiceProvider Services,
    IReasoningTask Task,
    IReadOnlyList<Problem> TrainProblems,
    long Seed,
    IUsageMeter Meter,
    ILogger Logger,
    IProgress<string> Progress,
    string ScratchFolder,
    CancellationToken Cancellation,
    IMetricLog? MetricLog = null,
    ModelCache? Cache = null,
    int SnapshotEvery = 0)
{
    /// <summary>Training curves of this unit; the runner records them and plots them.</summary>
    public IMetricLog Metrics => MetricLog ?? NullMetricLog.Instance;

    /// <summary>
    /// Where the training loop <paramref name="loop"/> (e.g. <c>grpo</c>) of this unit keeps resumable snapshots: under
    /// <see cref="ScratchFolder"/>, kept when a unit is killed (so it resumes) and removed by the runner when the unit's
    /// records are committed. Save one every <see cref="SnapshotEvery"/> steps.
    /// </summary>
    public string SnapshotFolder(string loop) => Path.Combine(ScratchFolder, SnapshotsFolderName, loop);

    /// <summary>The folder under <see cref="ScratchFolder"/> that holds the snapshots of every loop.</summary>
    public const string SnapshotsFolderName = "snapshots";
}

/// <summary>Receives points of a strategy's training curves. Implementations are thread-safe.</summary>
public interface IMetricLog
{
    /// <summary>Records <paramref name="value"/> of curve <paramref name="name"/> (e.g. <c>grpo/reward</c>) at <paramref name="step"/>.</summary>
    void Record(string name, int step, double value);
}

/// <summary>Discards every point.</summary>
public sealed class NullMetricLog : IMetricLog
{
    public static NullMetricLog Instance { get; } = new();

    public void Record(string name, int step, double value)
    {
    }
}

/// <summary>A strategy's answer to one question.</summary>
/// <param name="QuestionId">The question's id.</param>
/// <param name="Answer">The final answer, or null when the strategy found none.</param>
/// <param name="Text">The solution text behind the answer (for records and inspection).</param>
/// <param name="Candidates">
/// Strategies guided by a learned reward model list the answers it scored (the chosen one included),
/// so the runner can measure reward hacking: it verifies every candidate and reports how often the
/// reward model's favourite is wrong and how its scores correlate with correctness. Null otherwise.
/// </param>
public sealed record Attempt(string QuestionId, string? Answer, string Text, IReadOnlyList<ScoredAnswer>? Candidates = null);

/// <summary>An answer a reward model scored, for the reward-hacking gauge.</summary>
/// <param name="Answer">The candidate's final answer, or null when it has none.</param>
/// <param name="Score">The reward model's score of the whole candidate (its aggregate), in [0, 1].</param>
public sealed record ScoredAnswer(string? Answer, double Score);
