using Reasoning.Core.Accounting;

namespace Reasoning.Tests.Policy;

/// <summary>A meter that adds up what it is given.</summary>
internal sealed class RecordingMeter : IUsageMeter
{
    private readonly object _gate = new();

    public Usage Total { get; private set; }

    public long EstimatedBytes { get; private set; }

    public void Record(Usage work)
    {
        lock (_gate)
        {
            Total += work;
        }
    }

    public void ReportEstimatedBytes(long bytes)
    {
        lock (_gate)
        {
            EstimatedBytes = Math.Max(EstimatedBytes, bytes);
        }
    }
}
