namespace Reasoning.Policy.Accounting;

/// <summary>
/// Reads how much memory an accelerator has in use. The meter samples it at phase start, at phase
/// end and whenever <see cref="UsageMeter.SampleDeviceMemory"/> is called, and keeps the largest reading.
/// Implementations are thread-safe and never throw from <see cref="UsedBytes"/>.
/// </summary>
public interface IDeviceMemoryReader
{
    /// <summary>Device memory in use now, in bytes; null when there is no device or it cannot be read.</summary>
    long? UsedBytes();
}

/// <summary>The reader for CPU runs: there is no device memory, so every reading is null.</summary>
public sealed class CpuDeviceMemoryReader : IDeviceMemoryReader
{
    public static CpuDeviceMemoryReader Instance { get; } = new();

    private CpuDeviceMemoryReader()
    {
    }

    public long? UsedBytes() => null;
}
