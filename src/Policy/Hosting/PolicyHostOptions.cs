namespace Reasoning.Policy.Hosting;

/// <summary>Options of the policy host (YAML: <c>device</c>, <c>precision</c>, <c>batching</c>).</summary>
public sealed class PolicyHostOptions
{
    /// <summary><c>auto</c> (CUDA when available, else CPU), <c>cpu</c> or <c>cuda</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>
    /// Precision of frozen models used for inference: <c>fp32</c>, <c>bf16</c>, or <c>auto</c>: bf16 where the device
    /// computes it natively (CUDA; a CPU with AVX512-BF16 or AMX), fp32 elsewhere. Training is always fp32.
    /// </summary>
    public string Precision { get; set; } = "fp32";

    /// <summary>Most rows in one merged generation batch.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>How long the host waits for more requests to merge into a batch, in milliseconds.</summary>
    public double MaxWaitMilliseconds { get; set; } = 2;

    /// <summary>CPU threads for LibTorch (0 leaves LibTorch's default).</summary>
    public int Threads { get; set; }

    public static readonly string[] Devices = ["auto", "cpu", "cuda"];
    public static readonly string[] Precisions = ["fp32", "bf16", "auto"];

    /// <summary>Every problem with the options, each naming its key and the allowed values; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Devices.Contains(Device))
        {
            errors.Add($"device: '{Device}' is not one of {string.Join(", ", Devices)}");
        }

        if (!Precisions.Contains(Precision))
        {
            errors.Add($"precision: '{Precision}' is not one of {string.Join(", ", Precisions)}");
        }

        if (MaxBatchSize < 1)
        {
            errors.Add($"max_batch_size: must be at least 1, not {MaxBatchSize}");
        }

        if (MaxWaitMilliseconds < 0 || double.IsNaN(MaxWaitMilliseconds))
        {
            errors.Add($"max_wait_ms: must be 0 or more, not {MaxWaitMilliseconds}");
        }

        if (Threads < 0)
        {
            errors.Add($"threads: must be 0 (default) or more, not {Threads}");
        }

        return errors;
    }
}
