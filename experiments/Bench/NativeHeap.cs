using System.Runtime.InteropServices;
using Reasoning.Policy.Devices;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// glibc keeps freed blocks for reuse, so the resident set after a large phase stays high (see
/// ../shared/notes/torchsharp.md). <c>malloc_trim(0)</c> returns what it can to the OS, so that the peak
/// measured for the next phase is that phase's own; MKL's allocator keeps its own buffers for reuse, which are
/// handed back too (<see cref="MklDispatch.FreeBuffers"/>). Where there is no glibc it does nothing.
/// </summary>
internal static class NativeHeap
{
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        MklDispatch.FreeBuffers();
        try
        {
            MallocTrim(0);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and others: nothing to trim with.
        }
    }

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
