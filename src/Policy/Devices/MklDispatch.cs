using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Reasoning.Policy.Devices;

/// <summary>What <see cref="MklDispatch.Prepare"/> did, and why.</summary>
public enum MklDispatchState
{
    /// <summary>The dispatch library was loaded before LibTorch: MKL picks its kernels from the processor's features.</summary>
    Active,
    /// <summary>Not an AMD x86-64 Linux process: MKL's own dispatch already suits it (or MKL is not in play).</summary>
    NotNeeded,
    /// <summary><c>REASONING_MKL_AMD=off</c>: MKL left on its own dispatch.</summary>
    TurnedOff,
    /// <summary>The build made no dispatch library (no C compiler); MKL runs its generic kernels on AMD.</summary>
    NotBuilt,
    /// <summary>LibTorch was loaded before <see cref="MklDispatch.Prepare"/> ran, so MKL's choice was already made.</summary>
    TooLate,
    /// <summary>The library is there but could not be loaded.</summary>
    Failed,
    /// <summary><c>REASONING_MKL_AMD</c> has a value other than <c>on</c> or <c>off</c>; nothing was loaded.</summary>
    InvalidSetting,
}

/// <summary>
/// Makes LibTorch's MKL use its optimised fp32 kernels on AMD processors. MKL takes a generic code
/// path on any processor it does not recognise as Intel's: on the project's 2-core AMD EPYC,
/// fp32 GEMMs of Qwen2.5-0.5B's shapes ran 1.0-4.7x faster with the dispatch library
/// loaded (docs/pretrained.md, "Speed"). The library (build/native/mkl_intel_dispatch.c,
/// built next to LibTorch by build/MklDispatch.targets) answers MKL's two "is this an Intel
/// processor" service calls with yes; MKL still chooses among its kernels by the processor's
/// feature bits. It relies on MKL internals, so it is guarded: loaded only on AMD x86-64 Linux,
/// only before LibTorch, and <c>REASONING_MKL_AMD=off</c> turns it off. Results agree with the
/// independent PyTorch reference within the same 1e-4 as before (the parity fixtures run with it).
/// </summary>
public static class MklDispatch
{
    /// <summary>The environment variable that turns the dispatch library off: <c>on</c> (default) or <c>off</c>.</summary>
    public const string SettingVariable = "REASONING_MKL_AMD";

    /// <summary>The file build/MklDispatch.targets writes next to the application.</summary>
    public const string LibraryFileName = "libReasoningMklDispatch.so";

    private const int RtldNow = 0x2;
    private const int RtldGlobal = 0x100;
    private const int VersionRecordBytes = 128;
    private static readonly Lock Gate = new();
    private static (MklDispatchState State, string Detail)? _outcome;
    private static IntPtr _libTorch;

    /// <summary>What the first <see cref="Prepare"/> of this process did; null before it ran.</summary>
    public static MklDispatchState? State => _outcome?.State;

    /// <summary>
    /// Loads the dispatch library if this process should have it. Idempotent and never throws:
    /// call it before the first TorchSharp call (the command line does so first thing; the policy
    /// and test assemblies from their module initialisers). Returns the state and a sentence saying why.
    /// </summary>
    public static (MklDispatchState State, string Detail) Prepare()
    {
        lock (Gate)
        {
            _outcome ??= PrepareOnce();
            return _outcome.Value;
        }
    }

    /// <summary>
    /// The decision, without side effects: whether to load the library, from what the process sees.
    /// <paramref name="setting"/> is the raw value of <see cref="SettingVariable"/> (null when unset).
    /// </summary>
    public static (MklDispatchState State, string Detail) Decide(
        bool linuxX64, string vendor, string? setting, bool libraryExists, bool libTorchLoaded)
    {
        string value = (setting ?? "").Trim().ToLowerInvariant();
        if (value is not ("" or "on" or "off"))
        {
            return (MklDispatchState.InvalidSetting,
                $"{SettingVariable}={setting}: allowed values are on (default) and off; MKL left on its own dispatch");
        }

        if (!linuxX64 || vendor != "AuthenticAMD")
        {
            return (MklDispatchState.NotNeeded, $"{(linuxX64 ? vendor : "not x86-64 Linux")}: MKL's own dispatch");
        }

        if (value == "off")
        {
            return (MklDispatchState.TurnedOff, $"{SettingVariable}=off: MKL's generic kernels on this AMD processor");
        }

        if (!libraryExists)
        {
            return (MklDispatchState.NotBuilt,
                $"{LibraryFileName} was not built (no C compiler at build time): MKL's generic kernels on this AMD processor");
        }

        if (libTorchLoaded)
        {
            return (MklDispatchState.TooLate,
                "LibTorch was loaded before the dispatch library could be: MKL's generic kernels on this AMD processor");
        }

        return (MklDispatchState.Active, $"{LibraryFileName} loaded: MKL chooses its kernels by processor features");
    }

    /// <summary>
    /// The vendor string CPUID leaf 0 spells in EBX, EDX, ECX (in that order), four little-endian
    /// characters each: AMD's EBX 0x68747541 is "Auth".
    /// </summary>
    public static string Vendor(int ebx, int edx, int ecx)
    {
        Span<byte> bytes = stackalloc byte[12];
        BitConverter.TryWriteBytes(bytes[..4], ebx);
        BitConverter.TryWriteBytes(bytes.Slice(4, 4), edx);
        BitConverter.TryWriteBytes(bytes[8..], ecx);
        return Encoding.ASCII.GetString(bytes);
    }

    /// <summary>
    /// The kernel family MKL says it dispatches to, read from the loaded LibTorch: "AVX-512", "AVX2",
    /// "generic" (MKL's "Intel(R) Architecture processors", its answer for a processor it does not
    /// treat as Intel's), or MKL's own words. Null where LibTorch is not loaded or has no MKL.
    /// </summary>
    public static string? KernelFamily()
    {
        string? processor = MklProcessor();
        return processor == null ? null : KernelFamily(processor);
    }

    /// <summary>The kernel family named by MKL's processor text (see the parameterless overload).</summary>
    public static string KernelFamily(string mklProcessor)
    {
        if (mklProcessor.Contains("AVX-512", StringComparison.Ordinal))
        {
            return "AVX-512";
        }

        if (mklProcessor.Contains("AVX2", StringComparison.Ordinal))
        {
            return "AVX2";
        }

        return mklProcessor == "Intel(R) Architecture processors" ? "generic" : mklProcessor;
    }

    /// <summary>One line for logs and benchmark headers, e.g. "MKL: AVX-512 kernels (libReasoningMklDispatch.so loaded: ...)".</summary>
    public static string Describe()
    {
        var (state, detail) = Prepare();
        string family = KernelFamily() ?? "not loaded";
        return $"MKL: {family} kernels ({state}: {detail})";
    }

    /// <summary>
    /// The Processor field of MKL's version record (what <c>MKL_VERBOSE</c> prints), from the LibTorch
    /// already in this process; null when none is loaded (this never loads one) or it has no MKL.
    /// </summary>
    public static string? MklProcessor()
    {
        if (!TryLibTorchExport("mkl_serv_get_version", out IntPtr export))
        {
            return null;
        }

        // MKL 2024's MKLVersion: four ints (major, minor, update, patch), then the pointers
        // ProductStatus, Build, Processor, Platform. The record is zeroed and oversized, and the major
        // version checked, so another layout gives null rather than a wrong answer.
        IntPtr record = Marshal.AllocHGlobal(VersionRecordBytes);
        try
        {
            Marshal.Copy(new byte[VersionRecordBytes], 0, record, VersionRecordBytes);
            Marshal.GetDelegateForFunctionPointer<GetVersion>(export)(record);
            int major = Marshal.ReadInt32(record);
            IntPtr processor = Marshal.ReadIntPtr(record, (4 * sizeof(int)) + (2 * IntPtr.Size));
            return major is >= 2020 and < 2100 && processor != IntPtr.Zero ? Marshal.PtrToStringAnsi(processor) : null;
        }
        finally
        {
            Marshal.FreeHGlobal(record);
        }
    }

    /// <summary>
    /// Hands back the buffers MKL's own allocator keeps for reuse after fp32 GEMMs (63 MB after a Qwen2.5-0.5B-shaped
    /// fp32 prefill here), as <c>malloc_trim</c> does for the heap; later GEMMs allocate them again. Returns the bytes MKL
    /// held, or 0 where LibTorch is not loaded or has no MKL.
    /// </summary>
    public static long FreeBuffers()
    {
        if (!TryLibTorchExport("mkl_serv_mem_stat", out IntPtr memStat) || !TryLibTorchExport("mkl_serv_free_buffers", out IntPtr freeBuffers))
        {
            return 0;
        }

        int buffers = 0;
        long held = Marshal.GetDelegateForFunctionPointer<MemStat>(memStat)(ref buffers);
        Marshal.GetDelegateForFunctionPointer<Release>(freeBuffers)();
        return held;
    }

    private static (MklDispatchState, string) PrepareOnce()
    {
        bool linuxX64 = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        string vendor = linuxX64 && X86Base.IsSupported ? CurrentVendor() : "";
        string library = Path.Combine(AppContext.BaseDirectory, LibraryFileName);
        // Whether LibTorch is already in the process matters only where the library would be loaded.
        var decision = Decide(linuxX64, vendor, Environment.GetEnvironmentVariable(SettingVariable),
            File.Exists(library), vendor == "AuthenticAMD" && LoadedLibTorch() != null);
        if (decision.State != MklDispatchState.Active)
        {
            return decision;
        }

        string? reason;
        try
        {
            IntPtr handle = dlopen(library, RtldNow | RtldGlobal);
            IntPtr error = handle == IntPtr.Zero ? dlerror() : IntPtr.Zero;
            reason = handle != IntPtr.Zero ? null
                : error == IntPtr.Zero ? "unknown error" : Marshal.PtrToStringAnsi(error) ?? "unknown error";
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = $"no glibc dlopen: {error.Message}"; // musl and others
        }

        if (reason != null)
        {
            return (MklDispatchState.Failed, $"{library} could not be loaded ({reason}): MKL's generic kernels on this AMD processor");
        }

        return decision;
    }

    private static string CurrentVendor()
    {
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        return Vendor(ebx, edx, ecx);
    }

    // An export of the libtorch_cpu.so already in this process (the handle found once: LibTorch is never unloaded).
    internal static bool TryLibTorchExport(string name, out IntPtr export)
    {
        export = IntPtr.Zero;
        if (_libTorch == IntPtr.Zero && OperatingSystem.IsLinux() && LoadedLibTorch() is { } path
            && NativeLibrary.TryLoad(path, out IntPtr library))
        {
            _libTorch = library;
        }

        return _libTorch != IntPtr.Zero && NativeLibrary.TryGetExport(_libTorch, name, out export);
    }

    // The path of the libtorch_cpu.so mapped into this process, from /proc/self/maps; null if none is.
    private static string? LoadedLibTorch()
    {
        try
        {
            string? line = File.ReadLines("/proc/self/maps")
                .FirstOrDefault(line => line.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal));
            return line?[line.IndexOf('/', StringComparison.Ordinal)..];
        }
        catch (IOException)
        {
            return null;
        }
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void GetVersion(IntPtr record);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate long MemStat(ref int buffers);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Release();

    // RTLD_GLOBAL puts the library in the global lookup scope, which the dynamic loader searches
    // before LibTorch's own definitions when it binds LibTorch's PLT entries; NativeLibrary.Load
    // does not offer the flag.
    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    [SuppressMessage("Interoperability", "SYSLIB1054", Justification = "Two libc calls; no marshalling to generate.")]
    private static extern IntPtr dlopen(string path, int flags);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    [SuppressMessage("Interoperability", "SYSLIB1054", Justification = "Two libc calls; no marshalling to generate.")]
    private static extern IntPtr dlerror();
}

/// <summary>Loads the MKL dispatch library as soon as this assembly is used, before any model touches LibTorch.</summary>
internal static class MklDispatchModuleInitializer
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Must run before the first TorchSharp call, which loads LibTorch and MKL's dispatch.")]
    internal static void Initialize() => MklDispatch.Prepare();
}
