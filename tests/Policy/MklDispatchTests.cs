using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using Reasoning.Policy.Devices;
using Reasoning.Tests.Policy.Accounting;
using TorchSharp;

namespace Reasoning.Tests.Policy;

/// <summary>
/// The MKL dispatch library (build/MklDispatch.targets, src/Policy/Devices/MklDispatch.cs): who gets it, what MKL
/// then says it runs, and the switch that turns it off. That the numbers stay right with it is checked by the
/// parity tests against the independent PyTorch reference (tests/Policy/Pretrained), which run with it loaded.
/// </summary>
public sealed class MklDispatchTests
{
    private const string Amd = "AuthenticAMD";

    // CPUID leaf 0 spells the vendor in EBX, EDX, ECX, four little-endian ASCII bytes each:
    // "Auth" = 41 75 74 68 -> 0x68747541, "enti" -> 0x69746e65, "cAMD" -> 0x444d4163;
    // "Genu" -> 0x756e6547, "ineI" -> 0x49656e69, "ntel" -> 0x6c65746e (the constants MKL's own check compares with).
    [Theory]
    [InlineData(0x68747541, 0x69746e65, 0x444d4163, "AuthenticAMD")]
    [InlineData(0x756e6547, 0x49656e69, 0x6c65746e, "GenuineIntel")]
    public void Vendor_ReadsTheCpuidRegistersInEbxEdxEcxOrder(int ebx, int edx, int ecx, string expected)
    {
        Assert.Equal(expected, MklDispatch.Vendor(ebx, edx, ecx));
    }

    [Theory]
    [InlineData(true, Amd, null, true, false, MklDispatchState.Active)]
    [InlineData(true, Amd, "on", true, false, MklDispatchState.Active)]
    [InlineData(true, Amd, " OFF ", true, false, MklDispatchState.TurnedOff)]
    [InlineData(true, Amd, "off", false, false, MklDispatchState.TurnedOff)]
    [InlineData(true, Amd, null, false, false, MklDispatchState.NotBuilt)]
    [InlineData(true, Amd, null, true, true, MklDispatchState.TooLate)]
    [InlineData(true, "GenuineIntel", null, true, false, MklDispatchState.NotNeeded)]
    [InlineData(true, "HygonGenuine", null, true, false, MklDispatchState.NotNeeded)]
    [InlineData(false, "", null, true, false, MklDispatchState.NotNeeded)]
    [InlineData(true, Amd, "maybe", true, false, MklDispatchState.InvalidSetting)]
    [InlineData(true, "GenuineIntel", "1", true, false, MklDispatchState.InvalidSetting)]
    public void Decide_LoadsOnlyOnAmdLinuxWithTheLibraryBuiltAndLibTorchNotYetLoaded(
        bool linuxX64, string vendor, string? setting, bool libraryExists, bool libTorchLoaded, MklDispatchState expected)
    {
        var (state, detail) = MklDispatch.Decide(linuxX64, vendor, setting, libraryExists, libTorchLoaded);

        Assert.Equal(expected, state);
        Assert.False(string.IsNullOrWhiteSpace(detail));
    }

    [Fact]
    public void Decide_AnUnknownSetting_NamesTheVariableTheValueAndTheAllowedValues()
    {
        var (_, detail) = MklDispatch.Decide(true, Amd, "yes", true, false);

        Assert.Equal("REASONING_MKL_AMD=yes: allowed values are on (default) and off; MKL left on its own dispatch", detail);
    }

    // The first two are the Processor fields MKL 2024.2 (in LibTorch 2.10) reported on this project's AMD EPYC
    // without and with the dispatch library; the third is MKL's wording for an AVX2 processor.
    [Theory]
    [InlineData("Intel(R) Architecture processors", "generic")]
    [InlineData("Intel(R) Advanced Vector Extensions 512 (Intel(R) AVX-512) with support of Intel(R) Deep Learning Boost (Intel(R) DL Boost) and bfloat16", "AVX-512")]
    [InlineData("Intel(R) Advanced Vector Extensions 2 (Intel(R) AVX2) enabled processors", "AVX2")]
    [InlineData("Some future processor", "Some future processor")]
    public void KernelFamily_NamesWhatMklSaysItRuns(string processor, string expected)
    {
        Assert.Equal(expected, MklDispatch.KernelFamily(processor));
    }

    // In this test process (whose module initialiser prepared the dispatch before any LibTorch call): on an AMD
    // x86-64 Linux machine with a C compiler the build made the library, it was loaded, and MKL says so.
    [Fact]
    public void ThisProcess_OnAmdWithTheLibraryBuilt_MklRunsItsFeatureKernels()
    {
        using (torch.ones(2).sum())
        {
        }

        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Assert.Equal(MklDispatchState.NotNeeded, MklDispatch.State);
            return;
        }

        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        string library = Path.Combine(AppContext.BaseDirectory, MklDispatch.LibraryFileName);
        if (CompilerOnPath())
        {
            Assert.True(File.Exists(library), $"a C compiler is on PATH, but the build made no {library}");
        }

        if (MklDispatch.Vendor(ebx, edx, ecx) != Amd)
        {
            Assert.Equal(MklDispatchState.NotNeeded, MklDispatch.State);
            return;
        }

        if (!File.Exists(library))
        {
            Assert.Equal(MklDispatchState.NotBuilt, MklDispatch.State);
            Assert.Equal("generic", MklDispatch.KernelFamily());
            return;
        }

        Assert.Equal(MklDispatchState.Active, MklDispatch.State);
        Assert.NotNull(MklDispatch.KernelFamily());
        Assert.NotEqual("generic", MklDispatch.KernelFamily());
    }

    // The command line: REASONING_MKL_AMD=off leaves MKL alone (and `list` says so); an unknown value stops with exit 2.
    [Fact]
    public async Task CommandLine_TheSwitchTurnsItOff_AndABadValueIsRefused()
    {
        var off = await RunListAsync("off");
        Assert.True(off.ExitCode == 0, off.Output);
        string mklLine = off.Output.Split('\n').Single(line => line.StartsWith("MKL: ", StringComparison.Ordinal));
        if (MklDispatch.State is MklDispatchState.Active or MklDispatchState.NotBuilt)
        {
            // This is an AMD machine: with the switch off MKL runs its generic kernels.
            Assert.StartsWith("MKL: generic kernels (TurnedOff: REASONING_MKL_AMD=off", mklLine);
        }

        var bad = await RunListAsync("maybe");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("error: REASONING_MKL_AMD=maybe: allowed values are on (default) and off", bad.Output);
        Assert.DoesNotContain("TASKS", bad.Output);
    }

    private static bool CompilerOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, "cc")));

    private static async Task<(int ExitCode, string Output)> RunListAsync(string setting)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "Reasoning.Experiments.dll"), "list" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[MklDispatch.SettingVariable] = setting;
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await error);
    }
}

/// <summary>MKL's cached buffers are process-wide state: this runs alone, so no other test's GEMM or release interleaves.</summary>
[Collection(ProcessMemory.Name)]
public sealed class MklBuffersTests
{
    // MKL keeps GEMM buffers for reuse; FreeBuffers hands them back: something is held after an fp32 GEMM, nothing after.
    [Fact]
    public void FreeBuffers_AfterAnFp32Gemm_ReleasesWhatMklHeld()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return;
        }

        using (var scope = torch.NewDisposeScope())
        {
            torch.matmul(torch.ones(512, 512), torch.ones(512, 512));
        }

        Assert.True(MklDispatch.FreeBuffers() > 0, "MKL held no buffers after a 512 x 512 fp32 GEMM");
        Assert.Equal(0, MklDispatch.FreeBuffers());
    }
}
