using System.Diagnostics;
using Reasoning.Core.Accounting;

namespace Reasoning.Policy.Accounting;

/// <summary>
/// The usage meter of one unit of work: counters, wall time and peak memory, per phase.
/// <para>
/// <see cref="BeginPhase"/> opens a phase and returns its scope; disposing the scope closes it and
/// appends a <see cref="PhaseUsage"/> to <see cref="Phases"/>. One phase is open at a time. Opening a
/// phase first gives back memory freed earlier (<see cref="ResidentMemory.ReleaseFreedMemory"/>, unless
/// turned off), so a phase does not inherit the heap an earlier phase left behind; then it resets the
/// process's peak resident set (<see cref="ResidentMemory.TryResetPeak"/>) and starts a monotonic clock.
/// Closing it reads the peak resident set (Linux <c>VmHWM</c>) and the device memory.
/// A name opened again later makes a separate entry: the caller sums if it wants to.
/// </para>
/// <para>
/// Work recorded while no phase is open is not lost and does not throw: it goes to <see cref="Unphased"/>
/// (named <see cref="UnphasedName"/>, no wall time, no memory figures) and counts in <see cref="Total"/>.
/// Forward passes happen deep inside the policy host, which must not fail a run over bookkeeping;
/// a non-zero <see cref="Unphased"/> tells the runner that some work escaped its phases.
/// </para>
/// <para>
/// Peak resident memory is process-wide: two meters with phases open at the same time, in one process,
/// reset each other's peaks. Where the reset is not possible (not Linux, old kernel, sandbox), a phase
/// reports the process-lifetime peak instead, an upper bound, and <see cref="ResidentPeaksArePerPhase"/> is false.
/// </para>
/// Thread-safe: <see cref="Record"/> may be called from any number of threads.
/// </summary>
public sealed class UsageMeter : IUsageMeter
{
    /// <summary>The phase name of work recorded while no phase is open.</summary>
    public const string UnphasedName = "unphased";

    private readonly object _gate = new();
    private readonly IDeviceMemoryReader _deviceMemory;
    private readonly bool _releaseFreedMemoryAtPhaseStart;
    private readonly List<PhaseUsage> _phases = new();
    private OpenPhase? _open;
    private Usage _unphased;
    private long _unphasedEstimatedBytes;
    private bool _everyResetWorked = true;

    /// <param name="deviceMemory">Reads accelerator memory; null (or <see cref="CpuDeviceMemoryReader"/>) on CPU. The meter does not dispose it.</param>
    /// <param name="releaseFreedMemoryAtPhaseStart">
    /// Run <see cref="ResidentMemory.ReleaseFreedMemory"/> before each phase (a full GC and a heap trim,
    /// milliseconds to about a tenth of a second, not charged to the phase's wall time). Turn it off only
    /// where peaks do not matter, such as tests of the counters.
    /// </param>
    public UsageMeter(IDeviceMemoryReader? deviceMemory = null, bool releaseFreedMemoryAtPhaseStart = true)
    {
        _deviceMemory = deviceMemory ?? CpuDeviceMemoryReader.Instance;
        _releaseFreedMemoryAtPhaseStart = releaseFreedMemoryAtPhaseStart;
    }

    /// <summary>Closed phases, in the order they closed (a snapshot).</summary>
    public IReadOnlyList<PhaseUsage> Phases
    {
        get
        {
            lock (_gate)
            {
                return _phases.ToArray();
            }
        }
    }

    /// <summary>The open phase's name, or null.</summary>
    public string? CurrentPhase
    {
        get
        {
            lock (_gate)
            {
                return _open?.Name;
            }
        }
    }

    /// <summary>Work recorded while no phase was open, as a phase named <see cref="UnphasedName"/> (wall time and memory 0, device null).</summary>
    public PhaseUsage Unphased
    {
        get
        {
            lock (_gate)
            {
                return new PhaseUsage(UnphasedName, _unphased, 0, 0, null, _unphasedEstimatedBytes);
            }
        }
    }

    /// <summary>Every counter so far: closed phases, the open phase and <see cref="Unphased"/>.</summary>
    public Usage Total
    {
        get
        {
            lock (_gate)
            {
                Usage total = _unphased + (_open?.Counters ?? Usage.Zero);
                foreach (PhaseUsage phase in _phases)
                {
                    total += phase.Counters;
                }

                return total;
            }
        }
    }

    /// <summary>True while every phase opened so far could reset the process's peak resident set.</summary>
    public bool ResidentPeaksArePerPhase
    {
        get
        {
            lock (_gate)
            {
                return _everyResetWorked;
            }
        }
    }

    /// <summary>
    /// Opens phase <paramref name="phase"/>; dispose the result to close it.
    /// Throws <see cref="InvalidOperationException"/> (naming both phases) if a phase is already open.
    /// </summary>
    public IDisposable BeginPhase(string phase)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(phase);
        ThrowIfOpen(phase);
        if (_releaseFreedMemoryAtPhaseStart)
        {
            ResidentMemory.ReleaseFreedMemory(); // outside the lock: finalizers may record work
        }

        lock (_gate)
        {
            ThrowIfOpen(phase);
            _everyResetWorked &= ResidentMemory.TryResetPeak();
            var open = new OpenPhase(phase, Stopwatch.GetTimestamp());
            open.Observe(_deviceMemory.UsedBytes());
            _open = open;
            return new PhaseScope(this, open);
        }
    }

    private void ThrowIfOpen(string phase)
    {
        lock (_gate)
        {
            if (_open is not null)
            {
                throw new InvalidOperationException(
                    $"cannot open phase '{phase}' while phase '{_open.Name}' is open: one phase at a time; dispose the '{_open.Name}' scope first");
            }
        }
    }

    /// <summary>Adds work to the open phase, or to <see cref="Unphased"/> when none is open.</summary>
    public void Record(Usage work)
    {
        lock (_gate)
        {
            if (_open is not null)
            {
                _open.Counters += work;
            }
            else
            {
                _unphased += work;
            }
        }
    }

    /// <summary>Reports an analytic memory estimate; the open phase (or <see cref="Unphased"/>) keeps the largest.</summary>
    public void ReportEstimatedBytes(long bytes)
    {
        lock (_gate)
        {
            if (_open is not null)
            {
                _open.EstimatedBytes = Math.Max(_open.EstimatedBytes, bytes);
            }
            else
            {
                _unphasedEstimatedBytes = Math.Max(_unphasedEstimatedBytes, bytes);
            }
        }
    }

    /// <summary>
    /// Charges reused work to the open phase (or to <see cref="Unphased"/>): counters add up, its wall seconds
    /// are added to the phase's when it closes, its peaks raise the phase's peaks, and the phase is marked
    /// <see cref="PhaseUsage.IncludesReusedWork"/>.
    /// </summary>
    public void RecordReused(PhaseUsage earlier) => RecordEarlier(earlier, reused: true);

    /// <summary>
    /// Charges the work an interrupted process of the same unit did before the snapshot a loop resumes from, as
    /// <see cref="RecordReused"/> does (counters, wall seconds, peaks) but without marking the phase as reused.
    /// </summary>
    public void RecordResumed(PhaseUsage done) => RecordEarlier(done, reused: false);

    private void RecordEarlier(PhaseUsage earlier, bool reused)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        lock (_gate)
        {
            if (_open is null)
            {
                _unphased += earlier.Counters;
                _unphasedEstimatedBytes = Math.Max(_unphasedEstimatedBytes, earlier.EstimatedPeakBytes);
                return;
            }

            _open.Counters += earlier.Counters;
            _open.EstimatedBytes = Math.Max(_open.EstimatedBytes, earlier.EstimatedPeakBytes);
            _open.ReusedSeconds += earlier.WallSeconds;
            _open.ReusedPeakResidentBytes = Math.Max(_open.ReusedPeakResidentBytes, earlier.PeakResidentBytes);
            _open.Observe(earlier.PeakDeviceBytes);
            _open.IncludesReusedWork |= reused;
        }
    }

    /// <summary>
    /// Reads device memory now and, if a phase is open, keeps the reading when it is the phase's largest.
    /// Call it where device memory is likely at its highest (after a training step's backward, after a
    /// prefill): NVML has no peak counter, so the phase peak is the largest of these samples.
    /// Returns the reading (null on CPU).
    /// </summary>
    public long? SampleDeviceMemory()
    {
        long? reading = _deviceMemory.UsedBytes();
        lock (_gate)
        {
            _open?.Observe(reading);
        }

        return reading;
    }

    private void End(OpenPhase phase)
    {
        // Read the device outside the lock: a driver call can take a while.
        long? device = _deviceMemory.UsedBytes();
        lock (_gate)
        {
            if (!ReferenceEquals(_open, phase))
            {
                return; // already closed: disposing a scope twice is harmless
            }

            phase.Observe(device);
            double seconds = Stopwatch.GetElapsedTime(phase.StartTimestamp).TotalSeconds + phase.ReusedSeconds;
            long peak = Math.Max(ResidentMemory.PeakBytes(), phase.ReusedPeakResidentBytes);
            _phases.Add(new PhaseUsage(phase.Name, phase.Counters, seconds, peak, phase.PeakDeviceBytes, phase.EstimatedBytes, phase.IncludesReusedWork));
            _open = null;
        }
    }

    /// <summary>The mutable state of the open phase; guarded by the meter's lock.</summary>
    private sealed class OpenPhase(string name, long startTimestamp)
    {
        public string Name { get; } = name;

        public long StartTimestamp { get; } = startTimestamp;

        public Usage Counters { get; set; }

        public long EstimatedBytes { get; set; }

        public double ReusedSeconds { get; set; }

        public long ReusedPeakResidentBytes { get; set; }

        public bool IncludesReusedWork { get; set; }

        public long? PeakDeviceBytes { get; private set; }

        public void Observe(long? deviceBytes)
        {
            if (deviceBytes is long bytes)
            {
                PeakDeviceBytes = Math.Max(PeakDeviceBytes ?? 0, bytes);
            }
        }
    }

    private sealed class PhaseScope(UsageMeter meter, OpenPhase phase) : IDisposable
    {
        public void Dispose() => meter.End(phase);
    }
}
