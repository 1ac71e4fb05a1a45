using Reasoning.Core.Accounting;
using Reasoning.Policy.Accounting;

namespace Reasoning.Tests.Policy.Accounting;

public sealed class UsageMeterTests
{
    [Fact]
    public void APhaseRecordsItsCountersAndWallTime()
    {
        var meter = new UsageMeter();
        using (meter.BeginPhase("train"))
        {
            Assert.Equal("train", meter.CurrentPhase);
            meter.Record(new Usage(1, 2, 3, 4.5));
            meter.Record(new Usage(10, 20, 30, 40.5));
            Thread.Sleep(60);
        }

        PhaseUsage phase = Assert.Single(meter.Phases);
        Assert.Equal("train", phase.Phase);
        Assert.Equal(new Usage(11, 22, 33, 45), phase.Counters);
        Assert.InRange(phase.WallSeconds, 0.05, 30);
        Assert.Null(phase.PeakDeviceBytes);
        Assert.Null(meter.CurrentPhase);
        Assert.Equal(new Usage(11, 22, 33, 45), meter.Total);
        if (OperatingSystem.IsLinux())
        {
            Assert.True(phase.PeakResidentBytes > 0);
        }
    }

    [Fact]
    public void ReusedWorkIsChargedAtItsRecordedCost()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        var earlier = new PhaseUsage("train", new Usage(5, 50, 500, 1e9), WallSeconds: 120, PeakResidentBytes: long.MaxValue / 2, PeakDeviceBytes: null, EstimatedPeakBytes: 7_000);
        using (meter.BeginPhase("train"))
        {
            meter.Record(new Usage(1, 1, 1, 1));
            meter.RecordReused(earlier);
        }

        PhaseUsage phase = Assert.Single(meter.Phases);
        Assert.Equal(new Usage(6, 51, 501, 1e9 + 1), phase.Counters);
        Assert.InRange(phase.WallSeconds, 120, 150);
        Assert.Equal(long.MaxValue / 2, phase.PeakResidentBytes);
        Assert.Equal(7_000, phase.EstimatedPeakBytes);
        Assert.True(phase.IncludesReusedWork);

        // A meter without the override charges the counters and the estimate.
        IUsageMeter recording = new Reasoning.Tests.Policy.RecordingMeter();
        recording.RecordReused(earlier);
        Assert.Equal(new Usage(5, 50, 500, 1e9), ((Reasoning.Tests.Policy.RecordingMeter)recording).Total);
    }

    [Fact]
    public void ResumedWorkIsChargedWithItsTimeAndPeaksButNotMarkedReused()
    {
        var meter = new UsageMeter(new ScriptedDeviceMemoryReader(100, 200, 150), releaseFreedMemoryAtPhaseStart: false);
        var done = new PhaseUsage("resumed", new Usage(2, 20, 200, 3e8), WallSeconds: 60, PeakResidentBytes: long.MaxValue / 4, PeakDeviceBytes: 900, EstimatedPeakBytes: 5_000);
        using (meter.BeginPhase("train"))
        {
            meter.Record(new Usage(1, 1, 1, 1));
            meter.RecordResumed(done);
        }

        PhaseUsage phase = Assert.Single(meter.Phases);
        Assert.Equal(new Usage(3, 21, 201, 3e8 + 1), phase.Counters);
        Assert.InRange(phase.WallSeconds, 60, 90);
        Assert.Equal(long.MaxValue / 4, phase.PeakResidentBytes);
        Assert.Equal(900, phase.PeakDeviceBytes); // the earlier process's device peak, above this one's readings
        Assert.Equal(5_000, phase.EstimatedPeakBytes);
        Assert.False(phase.IncludesReusedWork);
    }

    [Fact]
    public void APhaseWithReusedWorkStaysMarkedWhateverElseIsCharged()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        var earlier = new PhaseUsage("train", new Usage(0, 0, 1, 1), 1, 0, null, 0);
        using (meter.BeginPhase("train"))
        {
            meter.RecordReused(earlier);
            meter.RecordReused(earlier);
            meter.RecordResumed(earlier);
        }

        Assert.True(Assert.Single(meter.Phases).IncludesReusedWork);
        Assert.Throws<ArgumentNullException>(() => meter.RecordResumed(null!));
    }

    [Fact]
    public void EarlierWorkOutsideAnyPhaseIsUnphased()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        meter.RecordResumed(new PhaseUsage("resumed", new Usage(1, 2, 3, 4), 1, 0, null, 700));
        meter.RecordReused(new PhaseUsage("train", new Usage(1, 1, 1, 1), 1, 0, null, 500));
        Assert.Equal(new Usage(2, 3, 4, 5), meter.Unphased.Counters);
        Assert.Equal(700, meter.Unphased.EstimatedPeakBytes);
        Assert.Empty(meter.Phases);
    }

    [Fact]
    public void OnLinuxEveryPhaseResetsThePeak()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        for (int i = 0; i < 3; i++)
        {
            using (meter.BeginPhase($"phase {i}"))
            {
            }
        }

        Assert.Equal(OperatingSystem.IsLinux(), meter.ResidentPeaksArePerPhase);
    }

    [Fact]
    public void ConcurrentRecordsSumExactly()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        using (meter.BeginPhase("inference"))
        {
            Parallel.For(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => meter.Record(new Usage(1, 3, 2, 0.5)));
        }

        Assert.Equal(new Usage(10_000, 30_000, 20_000, 5_000), Assert.Single(meter.Phases).Counters);
    }

    [Fact]
    public void OpeningASecondPhaseThrowsNamingBoth()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        using (meter.BeginPhase("train"))
        {
            var error = Assert.Throws<InvalidOperationException>(() => meter.BeginPhase("inference"));
            Assert.Contains("'train'", error.Message);
            Assert.Contains("'inference'", error.Message);
            Assert.Equal("train", meter.CurrentPhase);
        }

        using (meter.BeginPhase("inference"))
        {
        }

        Assert.Equal(new[] { "train", "inference" }, meter.Phases.Select(p => p.Phase));
    }

    [Fact]
    public void WorkOutsideAnyPhaseIsKeptAsUnphased()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        meter.Record(new Usage(1, 1, 0, 2));
        meter.ReportEstimatedBytes(123);
        using (meter.BeginPhase("train"))
        {
            meter.Record(new Usage(0, 5, 5, 30));
        }

        meter.Record(new Usage(2, 0, 0, 0));

        Assert.Equal(UsageMeter.UnphasedName, meter.Unphased.Phase);
        Assert.Equal(new Usage(3, 1, 0, 2), meter.Unphased.Counters);
        Assert.Equal(123, meter.Unphased.EstimatedPeakBytes);
        Assert.Equal(new Usage(0, 5, 5, 30), Assert.Single(meter.Phases).Counters);
        Assert.Equal(new Usage(3, 6, 5, 32), meter.Total);
    }

    [Fact]
    public void TotalIncludesTheOpenPhase()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        using (meter.BeginPhase("train"))
        {
            meter.Record(new Usage(0, 7, 7, 1));
            Assert.Equal(new Usage(0, 7, 7, 1), meter.Total);
            Assert.Empty(meter.Phases);
        }
    }

    [Fact]
    public void ANameOpenedAgainMakesASeparateEntry()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        foreach (int tokens in new[] { 3, 4 })
        {
            using (meter.BeginPhase("inference"))
            {
                meter.Record(new Usage(tokens, tokens, 0, 0));
            }
        }

        Assert.Equal(new long[] { 3, 4 }, meter.Phases.Select(p => p.Counters.GeneratedTokens));
        Assert.All(meter.Phases, p => Assert.Equal("inference", p.Phase));
    }

    [Fact]
    public void DisposingAScopeTwiceClosesThePhaseOnce()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        IDisposable first = meter.BeginPhase("train");
        first.Dispose();
        using (meter.BeginPhase("inference"))
        {
            first.Dispose(); // a stale scope must not close the open phase
            Assert.Equal("inference", meter.CurrentPhase);
        }

        Assert.Equal(2, meter.Phases.Count);
    }

    [Fact]
    public void APhaseKeepsItsLargestEstimate()
    {
        var meter = new UsageMeter(releaseFreedMemoryAtPhaseStart: false);
        using (meter.BeginPhase("train"))
        {
            meter.ReportEstimatedBytes(500);
            meter.ReportEstimatedBytes(900);
            meter.ReportEstimatedBytes(700);
        }

        using (meter.BeginPhase("inference"))
        {
        }

        Assert.Equal(new long[] { 900, 0 }, meter.Phases.Select(p => p.EstimatedPeakBytes));
    }

    [Fact]
    public void DeviceMemoryPeakIsTheLargestSampleOfThePhase()
    {
        // Readings in order: phase start, two samples, phase end; then the second phase's start and end.
        var reader = new ScriptedDeviceMemoryReader(100, 700, 300, 200, 50, 60);
        var meter = new UsageMeter(reader, releaseFreedMemoryAtPhaseStart: false);
        using (meter.BeginPhase("train"))
        {
            Assert.Equal(700, meter.SampleDeviceMemory());
            Assert.Equal(300, meter.SampleDeviceMemory());
        }

        using (meter.BeginPhase("inference"))
        {
        }

        Assert.Equal(new long?[] { 700, 60 }, meter.Phases.Select(p => p.PeakDeviceBytes));
        Assert.Equal(6, reader.Reads);
    }

    [Fact]
    public void OnCpuThereIsNoDeviceMemory()
    {
        var meter = new UsageMeter(CpuDeviceMemoryReader.Instance, releaseFreedMemoryAtPhaseStart: false);
        using (meter.BeginPhase("train"))
        {
            Assert.Null(meter.SampleDeviceMemory());
        }

        Assert.Null(Assert.Single(meter.Phases).PeakDeviceBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void APhaseNeedsAName(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => new UsageMeter(releaseFreedMemoryAtPhaseStart: false).BeginPhase(name));
    }
}
