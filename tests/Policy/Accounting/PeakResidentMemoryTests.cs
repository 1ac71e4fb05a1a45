using Reasoning.Core.Accounting;
using Reasoning.Policy.Accounting;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Reasoning.Tests.Policy.Accounting;

/// <summary>
/// The per-phase peak resident set, measured for real: 200 MiB of native memory (a LibTorch tensor of
/// ones, so every page is written) is allocated in one phase and freed before the next.
/// </summary>
[Collection(ProcessMemory.Name)]
public sealed class PeakResidentMemoryTests(ITestOutputHelper output)
{
    private const long Allocation = 200 * ProcessMemory.MiB;

    [Fact]
    public void EachPhaseReportsItsOwnPeak()
    {
        WarmUpLibTorch();
        var meter = new UsageMeter();
        long startOfFirst;
        using (meter.BeginPhase("allocates"))
        {
            startOfFirst = ResidentMemory.CurrentBytes();
            TouchAndFree(Allocation);
        }

        Collect();
        using (meter.BeginPhase("allocates nothing"))
        {
        }

        PhaseUsage first = meter.Phases[0], second = meter.Phases[1];
        output.WriteLine($"peak reset per phase: {meter.ResidentPeaksArePerPhase}; first phase: start {startOfFirst / ProcessMemory.MiB} MiB, " +
            $"peak {first.PeakResidentBytes / ProcessMemory.MiB} MiB; second phase peak {second.PeakResidentBytes / ProcessMemory.MiB} MiB");
        if (!OperatingSystem.IsLinux())
        {
            return; // no VmHWM: the peaks are 0 (or, on Windows, the lifetime peak)
        }

        Assert.True(first.PeakResidentBytes >= startOfFirst + 150 * ProcessMemory.MiB,
            $"first phase peak {first.PeakResidentBytes / ProcessMemory.MiB} MiB, start {startOfFirst / ProcessMemory.MiB} MiB");
        if (meter.ResidentPeaksArePerPhase)
        {
            Assert.True(second.PeakResidentBytes < first.PeakResidentBytes - 100 * ProcessMemory.MiB,
                $"second phase peak {second.PeakResidentBytes / ProcessMemory.MiB} MiB, first {first.PeakResidentBytes / ProcessMemory.MiB} MiB");
        }
        else
        {
            // Documented fallback without clear_refs: every phase reports the process-lifetime peak.
            Assert.True(second.PeakResidentBytes >= first.PeakResidentBytes);
        }
    }

    [Fact]
    public void ResettingThePeakBringsItDownToTheCurrentResidentSet()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(ResidentMemory.TryResetPeak());
            return;
        }

        WarmUpLibTorch();
        TouchAndFree(Allocation);
        Collect();
        Assert.True(ResidentMemory.PeakBytes() >= ResidentMemory.CurrentBytes() + 150 * ProcessMemory.MiB);

        long before = ResidentMemory.PeakBytes();
        bool reset = ResidentMemory.TryResetPeak();
        output.WriteLine($"reset: {reset}; VmHWM before {before / ProcessMemory.MiB} MiB, after {ResidentMemory.PeakBytes() / ProcessMemory.MiB} MiB; " +
            $"VmRSS {ResidentMemory.CurrentBytes() / ProcessMemory.MiB} MiB");
        if (reset)
        {
            Assert.True(ResidentMemory.PeakBytes() < ResidentMemory.CurrentBytes() + 50 * ProcessMemory.MiB);
        }
    }

    [Fact]
    public void MemoryFreedBeforeAPhaseDoesNotCountInIt()
    {
        WarmUpLibTorch();
        ResidentMemory.ReleaseFreedMemory();
        long baseline = ResidentMemory.CurrentBytes();
        LeaveFreedMemoryBehind();
        long beforePhase = ResidentMemory.CurrentBytes();

        var meter = new UsageMeter();
        using (meter.BeginPhase("after a heavy phase"))
        {
        }

        long peak = Assert.Single(meter.Phases).PeakResidentBytes;
        output.WriteLine($"baseline {baseline / ProcessMemory.MiB} MiB; resident after freeing {beforePhase / ProcessMemory.MiB} MiB; " +
            $"next phase's peak {peak / ProcessMemory.MiB} MiB");
        if (OperatingSystem.IsLinux() && meter.ResidentPeaksArePerPhase)
        {
            Assert.True(peak < baseline + 100 * ProcessMemory.MiB);
        }
    }

    /// <summary>
    /// Frees 200 MiB of managed arrays and about 300 MiB of small tensors: a normal GC keeps the first
    /// committed and glibc keeps the second, so both stay resident until released.
    /// </summary>
    private static void LeaveFreedMemoryBehind()
    {
        var arrays = new List<byte[]>();
        for (int i = 0; i < 10; i++)
        {
            var array = new byte[20 * ProcessMemory.MiB];
            for (int page = 0; page < array.Length; page += 4096)
            {
                array[page] = 1;
            }

            arrays.Add(array);
        }

        using (var scope = NewDisposeScope())
        {
            for (int i = 0; i < 20_000; i++)
            {
                ones(4000);                                                                 // [4000], 16 KB: below glibc's mmap threshold
            }
        }

        GC.KeepAlive(arrays);
        arrays.Clear();
        GC.Collect();
    }

    /// <summary>Allocates and fills <paramref name="bytes"/> of native memory, then frees it.</summary>
    private static void TouchAndFree(long bytes)
    {
        using var scope = NewDisposeScope();
        using Tensor block = ones(bytes / sizeof(float), dtype: ScalarType.Float32);   // [N], every page written
        Assert.Equal(1f, block[block.shape[0] - 1].item<float>());
    }

    /// <summary>The first tensor loads LibTorch (hundreds of MiB): do it outside the measured phases.</summary>
    private static void WarmUpLibTorch()
    {
        using Tensor probe = ones(2);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
