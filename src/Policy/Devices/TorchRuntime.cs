using TorchSharp;

namespace Reasoning.Policy.Devices;

/// <summary>What the loaded LibTorch offers. Calling any member loads the native library.</summary>
public static class TorchRuntime
{
    /// <summary>One line for logs and <c>list</c>: TorchSharp version, threads, and whether CUDA is available.</summary>
    public static string Describe()
    {
        // A tensor operation forces the native library to load, so a broken install fails here, clearly.
        using var probe = torch.ones(2).sum();
        string version = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown";
        string cuda = torch.cuda.is_available() ? $"CUDA available ({torch.cuda.device_count()} device(s))" : "CUDA not available";
        return $"TorchSharp {version}, LibTorch loaded, {torch.get_num_threads()} CPU thread(s), {cuda}";
    }
}
