using Reasoning.Policy.Accounting;

namespace Reasoning.Tests.Policy.Accounting;

/// <summary>A device memory reader that returns the readings it was given, in order, then repeats the last.</summary>
internal sealed class ScriptedDeviceMemoryReader(params long[] readings) : IDeviceMemoryReader
{
    private readonly object _gate = new();
    private int _next;

    public int Reads { get; private set; }

    public long? UsedBytes()
    {
        lock (_gate)
        {
            Reads++;
            long reading = readings[Math.Min(_next, readings.Length - 1)];
            _next++;
            return reading;
        }
    }
}
