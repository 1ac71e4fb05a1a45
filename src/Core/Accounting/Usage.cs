namespace Reasoning.Core.Accounting;

/// <summary>
/// Work done by models, counted where it happens (inside the policy host and the reward models),
/// never by strategies. One definition each:
/// generated tokens are sampled by any model, kept or discarded;
/// processed tokens go through a forward pass (padding included: it is computed);
/// trained tokens go through forward and backward;
/// FLOPs come from one function per model (2 × parameters × processed + 6 × parameters × trained, plus attention).
/// </summary>
public readonly record struct Usage(long GeneratedTokens, long ProcessedTokens, long TrainedTokens, double Flops)
{
    public static Usage Zero => default;

    public static Usage operator +(Usage a, Usage b) =>
        new(a.GeneratedTokens + b.GeneratedTokens, a.ProcessedTokens + b.ProcessedTokens, a.TrainedTokens + b.TrainedTokens, a.Flops + b.Flops);
}

/// <summary>What one phase ("train" or "inference") of one unit of work cost.</summary>
/// <param name="Phase">The phase name.</param>
/// <param name="Counters">Tokens and FLOPs.</param>
/// <param name="WallSeconds">Monotonic wall time of the phase.</param>
/// <param name="PeakResidentBytes">The process's peak resident set during the phase (Linux; 0 where unknown).</param>
/// <param name="PeakDeviceBytes">Device memory in use at its highest reading (CUDA, reserved memory); null on CPU.</param>
/// <param name="EstimatedPeakBytes">The analytic estimate: weights, gradients, optimizer state, activations, KV cache.</param>
/// <param name="IncludesReusedWork">Part of the figures is work done earlier and reused (a cached model), charged as it cost when it was done (see <see cref="IUsageMeter.RecordReused"/>).</param>
public sealed record PhaseUsage(string Phase, Usage Counters, double WallSeconds, long PeakResidentBytes, long? PeakDeviceBytes, long EstimatedPeakBytes, bool IncludesReusedWork = false);

/// <summary>Receives the costs of model work. Implementations are thread-safe.</summary>
public interface IUsageMeter
{
    /// <summary>Adds work to the current phase.</summary>
    void Record(Usage work);

    /// <summary>Reports an analytic memory estimate; the phase keeps the largest.</summary>
    void ReportEstimatedBytes(long bytes);

    /// <summary>
    /// Charges work that was done earlier and is reused now, such as a reward model trained by another
    /// strategy of the same seed and taken from the cache: every strategy that uses it pays its full cost, so
    /// its counters, wall time and peak memory count in the current phase as they were measured then.
    /// The default charges the counters and the estimate only.
    /// </summary>
    void RecordReused(PhaseUsage earlier)
    {
        Record(earlier.Counters);
        ReportEstimatedBytes(earlier.EstimatedPeakBytes);
    }

    /// <summary>
    /// Charges work done by an earlier process of the same unit before it was killed, up to the snapshot a training
    /// loop resumes from: done once, so charged once, in the current phase, as measured then (counters, wall time,
    /// peaks). Unlike <see cref="RecordReused"/> it is not marked as reused. The default charges the counters and the estimate only.
    /// </summary>
    void RecordResumed(PhaseUsage done)
    {
        Record(done.Counters);
        ReportEstimatedBytes(done.EstimatedPeakBytes);
    }
}

/// <summary>A meter that discards everything (for tools that measure nothing).</summary>
public sealed class NullUsageMeter : IUsageMeter
{
    public static NullUsageMeter Instance { get; } = new();

    public void Record(Usage work)
    {
    }

    public void ReportEstimatedBytes(long bytes)
    {
    }
}
