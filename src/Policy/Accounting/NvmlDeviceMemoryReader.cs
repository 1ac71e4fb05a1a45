using System.Runtime.InteropServices;

namespace Reasoning.Policy.Accounting;

/// <summary>
/// Device memory of one NVIDIA GPU, read through NVML (<c>libnvidia-ml.so.1</c>, <c>nvml.dll</c> on
/// Windows): <c>nvmlInit_v2</c>, <c>nvmlDeviceGetHandleByIndex_v2</c>, <c>nvmlDeviceGetMemoryInfo</c>,
/// <c>nvmlShutdown</c>.
/// <para>
/// What it reports is the <b>used</b> field of <c>nvmlMemory_t</c>: memory in use on the whole device,
/// by every process, CUDA contexts and driver reservations included. It is therefore labelled
/// <i>reserved</i> memory, never <i>allocated</i> memory: it includes what LibTorch's caching allocator
/// holds but does not use, and on a shared GPU other processes' memory too. TorchSharp 0.107 exposes no
/// CUDA allocator statistics (no <c>torch.cuda.max_memory_allocated</c>), so this is the figure we have.
/// </para>
/// <para>
/// It fails soft: <see cref="TryCreate"/> returns null when the library is missing, an entry point is
/// missing, NVML does not initialise or the device index does not exist. The build machine has no GPU:
/// only that null path is tested here; the reading path has not been run on a GPU by this project yet.
/// </para>
/// </summary>
public sealed class NvmlDeviceMemoryReader : IDeviceMemoryReader, IDisposable
{
    private const int Success = 0; // NVML_SUCCESS

    private readonly object _gate = new();
    private readonly IntPtr _library;
    private readonly IntPtr _device;
    private readonly GetMemoryInfo _getMemoryInfo;
    private readonly Shutdown _shutdown;
    private bool _disposed;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Init();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Shutdown();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int GetHandleByIndex(uint index, out IntPtr device);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int GetMemoryInfo(IntPtr device, out NvmlMemory memory);

    /// <summary><c>nvmlMemory_t</c> (version 1): total, free and used bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    private NvmlDeviceMemoryReader(IntPtr library, IntPtr device, GetMemoryInfo getMemoryInfo, Shutdown shutdown, int deviceIndex)
    {
        (_library, _device, _getMemoryInfo, _shutdown, DeviceIndex) = (library, device, getMemoryInfo, shutdown, deviceIndex);
    }

    /// <summary>The CUDA device index this reader watches.</summary>
    public int DeviceIndex { get; }

    /// <summary>A reader for GPU <paramref name="deviceIndex"/>, or null (never an exception) when NVML or the device is not there.</summary>
    public static NvmlDeviceMemoryReader? TryCreate(int deviceIndex)
    {
        if (deviceIndex < 0)
        {
            return null;
        }

        string name = OperatingSystem.IsWindows() ? "nvml.dll" : "libnvidia-ml.so.1";
        IntPtr library = IntPtr.Zero;
        bool initialised = false;
        Shutdown? shutdown = null;
        try
        {
            if (!NativeLibrary.TryLoad(name, out library))
            {
                return null;
            }

            if (!NativeLibrary.TryGetExport(library, "nvmlInit_v2", out IntPtr init)
                || !NativeLibrary.TryGetExport(library, "nvmlShutdown", out IntPtr shutdownExport)
                || !NativeLibrary.TryGetExport(library, "nvmlDeviceGetHandleByIndex_v2", out IntPtr getHandle)
                || !NativeLibrary.TryGetExport(library, "nvmlDeviceGetMemoryInfo", out IntPtr getMemory))
            {
                NativeLibrary.Free(library);
                return null;
            }

            shutdown = Marshal.GetDelegateForFunctionPointer<Shutdown>(shutdownExport);
            if (Marshal.GetDelegateForFunctionPointer<Init>(init)() != Success)
            {
                NativeLibrary.Free(library);
                return null;
            }

            initialised = true;
            var getMemoryInfo = Marshal.GetDelegateForFunctionPointer<GetMemoryInfo>(getMemory);
            if (Marshal.GetDelegateForFunctionPointer<GetHandleByIndex>(getHandle)((uint)deviceIndex, out IntPtr device) != Success
                || getMemoryInfo(device, out _) != Success)
            {
                shutdown();
                NativeLibrary.Free(library);
                return null;
            }

            return new NvmlDeviceMemoryReader(library, device, getMemoryInfo, shutdown, deviceIndex);
        }
        catch (Exception)
        {
            try
            {
                if (initialised)
                {
                    shutdown?.Invoke();
                }

                if (library != IntPtr.Zero)
                {
                    NativeLibrary.Free(library);
                }
            }
            catch (Exception)
            {
                // Failing soft: a broken driver must not take the run down.
            }

            return null;
        }
    }

    /// <summary>Bytes in use on the device (NVML's <c>used</c>: reserved, device-wide); null after disposal or on an NVML error.</summary>
    public long? UsedBytes()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            try
            {
                return _getMemoryInfo(_device, out NvmlMemory memory) == Success ? (long)Math.Min(memory.Used, (ulong)long.MaxValue) : null;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                _shutdown();
                NativeLibrary.Free(_library);
            }
            catch (Exception)
            {
                // Nothing useful to do with a failing shutdown at the end of a run.
            }
        }
    }
}
