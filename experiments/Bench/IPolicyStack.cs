using Reasoning.Policy.Model;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// One stack measured by <c>bench policy</c>: the C# stack in this process (<see cref="TorchSharpStack"/>),
/// or the PyTorch-eager peer in a subprocess (<see cref="PythonPeer"/>). Both measure the same work with
/// their own clock, so the transport to the peer is never timed.
/// </summary>
internal interface IBenchStack : IDisposable
{
    /// <summary>The column heading.</summary>
    string Name { get; }

    /// <summary>One line on what runs: versions, BLAS, threads.</summary>
    string Description { get; }

    /// <summary>The peak resident set since the last reset and the current one; resets the peak when asked.</summary>
    MemoryReading Memory(bool reset);
}

/// <summary>The policy as <c>bench policy</c> measures it on the project's own presets (tiny, small).</summary>
internal interface IPolicyStack : IBenchStack
{
    /// <summary>fp32 square matmul rates in GFLOP/s, several repeats per size, within about <paramref name="seconds"/> per size.</summary>
    IReadOnlyDictionary<int, double[]> MatmulRates(IReadOnlyList<int> sizes, double seconds);

    /// <summary>Makes <paramref name="model"/> available under its name.</summary>
    void Load(ModelSpec model);

    /// <summary>
    /// Seconds per call of <paramref name="calls"/> generate calls: every prompt (one length) gets
    /// <paramref name="newTokens"/> tokens sampled at temperature 1, stop tokens ignored.
    /// </summary>
    double[] Generate(string model, int[][] prompts, int newTokens, bool useCache, int calls, long seed);

    /// <summary>Seconds per step and the loss of each step of <paramref name="steps"/> fine-tuning steps on one batch.</summary>
    (double[] Seconds, double[] Losses) Train(string model, TrainingBatch batch, int steps, bool freshOptimizer);
}

/// <summary>
/// A model both stacks hold: its name, the C# module (which the C# stack uses itself) and the
/// directory its weights were exported to (which the peer loads).
/// </summary>
internal sealed record ModelSpec(string Name, Transformer Model, string WeightsDirectory)
{
    public TransformerConfig Config => Model.Config;
}

/// <summary>
/// Inputs and next-token targets, [B, T] each (targets may hold <see cref="Ignore"/>), and the
/// optimizer settings of supervised fine-tuning.
/// </summary>
internal sealed record TrainingBatch(long[][] Ids, long[][] Targets, double LearningRate, double WeightDecay, double GradientClip)
{
    public const long Ignore = -100;

    public int Rows => Ids.Length;

    public int Length => Ids[0].Length;
}

/// <summary>Resident set in bytes: the peak since the last reset, and now.</summary>
internal readonly record struct MemoryReading(long PeakBytes, long CurrentBytes);
