using Reasoning.Policy.Accounting;

namespace Reasoning.Tests.Policy.Accounting;

public sealed class ResidentMemoryTests
{
    private const string Status = "Name:\tdotnet\nVmPeak:\t 3000000 kB\nVmHWM:\t    1760 kB\nVmRSS:\t    1500 kB\r\nRssAnon:\t  512 kB\n";

    [Theory]
    [InlineData(Status, "VmHWM", 1760L * 1024)]
    [InlineData(Status, "VmRSS", 1500L * 1024)]
    [InlineData(Status, "RssAnon", 512L * 1024)]
    [InlineData("VmRSS:   42\n", "VmRSS", 42L)]
    [InlineData("VmRSS: 3 MB\n", "VmRSS", 3L * 1024 * 1024)]
    [InlineData("VmRSSX:  9 kB\nVmRSS:  8 kB", "VmRSS", 8L * 1024)]
    public void StatusFieldsParseToBytes(string status, string key, long expected)
    {
        Assert.Equal(expected, ResidentMemory.ParseStatusBytes(status, key));
    }

    [Theory]
    [InlineData(Status, "VmSwap")]
    [InlineData("", "VmRSS")]
    [InlineData("VmRSS:\n", "VmRSS")]
    [InlineData("VmRSS:  lots kB\n", "VmRSS")]
    [InlineData("VmRSS:  -5 kB\n", "VmRSS")]
    [InlineData("VmRSS:  5 parsecs\n", "VmRSS")]
    [InlineData("VmRSS:  99999999999999999999 kB\n", "VmRSS")]
    public void MissingOrMalformedFieldsParseToNull(string status, string key)
    {
        Assert.Null(ResidentMemory.ParseStatusBytes(status, key));
    }

    [Fact]
    public void ReadingsArePlausibleOnLinux()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(ResidentMemory.TryResetPeak());
            return;
        }

        long current = ResidentMemory.CurrentBytes();
        long peak = ResidentMemory.PeakBytes();
        Assert.InRange(current, 10 * ProcessMemory.MiB, 1L << 40);
        Assert.True(peak >= current - ProcessMemory.MiB, $"peak {peak} below current {current}");
    }
}
