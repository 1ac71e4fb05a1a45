using Reasoning.Core.Accounting;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Model;
using TorchSharp;

namespace Reasoning.Experiments.Bench;

/// <summary>Many small generate calls through the product's sampler: live tensors and resident memory before and after.</summary>
internal static class GenerationSoak
{
    /// <summary>
    /// Warm-up lasts at least this many calls and until the .NET GC has collected generation 0 twice on
    /// its own (at most <see cref="MaxWarmUpCalls"/>): JIT and tiering, LibTorch's caches, and the GC heap,
    /// whose generation-0 budget scales with the L3 cache and is committed only as it fills (measured
    /// here: about 85 MB over the first thousand calls, then flat).
    /// </summary>
    public const int MinWarmUpCalls = 500;

    public const int MaxWarmUpCalls = 20_000;

    public static SoakResult Run(Transformer model, int[] prompt, int calls, int newTokens = 4)
    {
        model.eval();
        IReadOnlyList<int>[] prompts = [prompt];
        IUsageMeter[] meters = [NullUsageMeter.Instance];
        void Call(int i)
        {
            var options = new SamplingOptions(Temperature: 1.0, MaxNewTokens: newTokens, Seed: i);
            BatchedSampler.Generate(model, prompts, [new BatchedSampler.RowOptions(options, 0)], meters);
        }

        int warmUp = 0;
        int collections = GC.CollectionCount(0);
        while (warmUp < MaxWarmUpCalls && (warmUp < MinWarmUpCalls || GC.CollectionCount(0) < collections + 2))
        {
            Call(warmUp++);
        }

        long tensorsBefore = LiveTensors();
        long residentBefore = SettledResidentBytes();
        for (int i = 0; i < calls; i++)
        {
            Call(warmUp + i);
        }

        long tensorsAfter = LiveTensors();
        long residentAfter = SettledResidentBytes();
        return new SoakResult(calls, newTokens, warmUp, tensorsBefore, tensorsAfter, residentBefore, residentAfter);
    }

    /// <summary>
    /// The resident set once the garbage collector has run and glibc has handed its free blocks back
    /// (the same at both ends): what it keeps cached for reuse is not what the calls hold on to.
    /// </summary>
    private static long SettledResidentBytes()
    {
        LiveTensors();
        NativeHeap.Trim();
        return ResidentMemory.CurrentBytes();
    }

    /// <summary>Live tensors once whatever was left to the garbage collector is finalised.</summary>
    private static long LiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return torch.Tensor.TotalCount;
    }
}

/// <summary>The soak line's figures.</summary>
internal sealed record SoakResult(int Calls, int NewTokens, int WarmUpCalls, long LiveTensorsAfterWarmUp, long LiveTensorsAtEnd, long ResidentAfterWarmUp, long ResidentAtEnd)
{
    public double ResidentChange => ResidentAfterWarmUp == 0 ? double.NaN : (double)(ResidentAtEnd - ResidentAfterWarmUp) / ResidentAfterWarmUp;

    public bool Passed => LiveTensorsAtEnd <= LiveTensorsAfterWarmUp && Math.Abs(ResidentChange) <= 0.05;
}
