using Reasoning.Policy.Accounting;

namespace Reasoning.Tests.Policy.Accounting;

/// <summary>The build machine has no GPU and no NVML: only the fail-soft path can be tested here.</summary>
public sealed class NvmlDeviceMemoryReaderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void WithoutNvmlTryCreateReturnsNull(int deviceIndex)
    {
        if (File.Exists("/proc/driver/nvidia/version"))
        {
            return; // an NVIDIA driver is present: the null path is not what this machine takes
        }

        Assert.Null(NvmlDeviceMemoryReader.TryCreate(deviceIndex));
    }

    [Fact]
    public void ANegativeDeviceIndexIsNeverADevice()
    {
        Assert.Null(NvmlDeviceMemoryReader.TryCreate(-1));
    }
}
