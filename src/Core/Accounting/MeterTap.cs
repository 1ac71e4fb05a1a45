namespace Reasoning.Core.Accounting;

/// <summary>Passes work on to another meter and keeps its own sum, to know what one piece of a phase cost.</summary>
public sealed class MeterTap(IUsageMeter inner) : IUsageMeter
{
    private readonly object _gate = new();
    private Usage _total;
    private long _estimatedBytes;

    public Usage Total
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    public long EstimatedBytes
    {
        get
        {
            lock (_gate)
            {
                return _estimatedBytes;
            }
        }
    }

    public void Record(Usage work)
    {
        lock (_gate)
        {
            _total += work;
        }

        inner.Record(work);
    }

    public void ReportEstimatedBytes(long bytes)
    {
        lock (_gate)
        {
            _estimatedBytes = Math.Max(_estimatedBytes, bytes);
        }

        inner.ReportEstimatedBytes(bytes);
    }

    /// <summary>Counts resumed work in this tap's sum and passes it on whole (wall time and peaks included).</summary>
    public void RecordResumed(PhaseUsage done)
    {
        ArgumentNullException.ThrowIfNull(done);
        lock (_gate)
        {
            _total += done.Counters;
            _estimatedBytes = Math.Max(_estimatedBytes, done.EstimatedPeakBytes);
        }

        inner.RecordResumed(done);
    }
}
