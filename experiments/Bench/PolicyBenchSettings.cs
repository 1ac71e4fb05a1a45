using Reasoning.Policy.Training;

namespace Reasoning.Experiments.Bench;

/// <summary>What <c>bench policy</c> measures and how long it tries. The defaults are the published run.</summary>
/// <param name="GenerationPreset">The model of the generation rows (tiny or small); training always measures both.</param>
/// <param name="Rounds">Each figure is measured this many times per stack, the stacks taking turns, so a noisy neighbour hits both alike.</param>
/// <param name="SecondsPerTurn">About how long one turn of one stack lasts.</param>
/// <param name="SoakCalls">Generate calls of the soak line.</param>
/// <param name="ParitySteps">Fine-tuning steps whose losses the parity line compares (the first is the loss of the initial weights).</param>
internal sealed record PolicyBenchSettings(
    string GenerationPreset = "tiny",
    int Rounds = 5,
    double SecondsPerTurn = 3.0,
    int SoakCalls = 10_000,
    int ParitySteps = 5,
    int Threads = 2)
{
    public int PromptLength { get; init; } = 16;

    public int NewTokens { get; init; } = 64;

    public IReadOnlyList<int> GenerationBatches { get; init; } = [1, 64];

    public int TrainingBatch { get; init; } = 64;

    public int TrainingLength { get; init; } = 64;

    /// <summary>Sizes of the square fp32 matmuls that set the machine's peak.</summary>
    public IReadOnlyList<int> MatmulSizes { get; init; } = [512, 1024, 1536, 2048];

    /// <summary>The fine-tuning recipe's optimizer settings.</summary>
    public FineTuningOptions Recipe { get; init; } = new();

    /// <summary>A short run: fewer rounds, shorter turns, a shorter soak.</summary>
    public static PolicyBenchSettings Quick(string preset) =>
        new(preset, Rounds: 2, SecondsPerTurn: 1.0, SoakCalls: 2_000, ParitySteps: 3);
}
