using Reasoning.Core.Problems;

namespace Reasoning.Experiments.Bench;

/// <summary>What <c>bench policy --shape</c> measures and how often. The defaults are the published run.</summary>
/// <param name="Shape">A real model shape of <see cref="Reasoning.Policy.Pretrained.ModelShapes"/>: the random model folder's.</param>
/// <param name="Rounds">Timed calls per stack and workload; the stacks take turns, so a noisy neighbour hits both alike.</param>
/// <param name="Seed">Seed of the random weights and prompts.</param>
internal sealed record PretrainedBenchSettings(string Shape = "qwen2.5-0.5b", int Rounds = 3, int Threads = 2, long Seed = 1)
{
    /// <summary>C# at least this fast as the peer on every throughput row.</summary>
    public const double SpeedTarget = 1.0;

    /// <summary>C#'s peak resident set at most this many times the peer's.</summary>
    public const double MemoryTarget = 1.2;

    /// <summary>Rows of the batched workload: its prefill row and its decode row.</summary>
    public int Batch { get; init; } = 16;

    /// <summary>The batched workload's prompts have lengths spread evenly over [<see cref="ShortestPrompt"/>, <see cref="LongestPrompt"/>].</summary>
    public int ShortestPrompt { get; init; } = 32;

    public int LongestPrompt { get; init; } = 256;

    /// <summary>The prompt length of the batch-1 decode row.</summary>
    public int SinglePromptLength { get; init; } = 128;

    /// <summary>Tokens generated per row, greedily, stop tokens ignored.</summary>
    public int NewTokens { get; init; } = 64;

    /// <summary>New tokens of the untimed call each stack makes on each workload after loading.</summary>
    public int WarmUpTokens { get; init; } = 4;

    /// <summary><c>fp32</c>, <c>bf16</c> or both, in this order.</summary>
    public IReadOnlyList<string> Precisions { get; init; } = ["fp32", "bf16"];

    /// <summary>One round and 32 new tokens.</summary>
    public static PretrainedBenchSettings Quick(string shape) => new(shape, Rounds: 1) { NewTokens = 32 };

    /// <summary>The lengths of the batched prompts, spread evenly and shuffled so the batch is mixed.</summary>
    public int[] PromptLengths()
    {
        var random = DeterministicRandom.ForPurpose(Seed, "bench/pretrained/lengths");
        int[] lengths = Enumerable.Range(0, Batch)
            .Select(i => Batch == 1 ? LongestPrompt : ShortestPrompt + (int)Math.Round(i * (LongestPrompt - ShortestPrompt) / (double)(Batch - 1)))
            .ToArray();
        for (int i = lengths.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (lengths[i], lengths[j]) = (lengths[j], lengths[i]);
        }

        return lengths;
    }
}
