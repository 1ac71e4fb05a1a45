using System.Diagnostics;
using Reasoning.Core.Accounting;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// A usage meter shared by every row of one generate call that notes when the first token of the last row was
/// charged, which the sampler does right after choosing it on the host: the end of the prefill. The sampler is
/// timed through the meters it already charges, so the benchmark measures the product's code unchanged.
/// </summary>
internal sealed class FirstTokensClock(int rows) : IUsageMeter
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _generated;

    /// <summary>Seconds from construction until every row had its first token, or null before then.</summary>
    public double? FirstTokensAt { get; private set; }

    /// <summary>Seconds since construction.</summary>
    public double Elapsed => _clock.Elapsed.TotalSeconds;

    public void Record(Usage work)
    {
        _generated += work.GeneratedTokens;
        if (FirstTokensAt is null && _generated >= rows)
        {
            FirstTokensAt = _clock.Elapsed.TotalSeconds;
        }
    }

    public void ReportEstimatedBytes(long bytes)
    {
    }
}
