namespace Reasoning.Experiments.Bench;

/// <summary>Every figure of one <c>bench policy</c> run; what <c>--json</c> writes.</summary>
internal sealed record PolicyBenchReport(
    string Machine,
    string LoadAverageAtStart,
    string LoadAverageAtEnd,
    string Command,
    PolicyBenchSettings Settings,
    double MachineMatmulPeakGflops,
    StackFigures CSharp,
    StackFigures? Peer,
    string? PeerSkippedBecause,
    ParityResult? Parity,
    SoakResult Soak,
    IReadOnlyList<string> Notes);

/// <summary>The figures of one stack. Rates are medians over every timed call or step of every round.</summary>
internal sealed record StackFigures(
    string Name,
    string Description,
    IReadOnlyDictionary<int, double> MatmulGflopsBySize,
    IReadOnlyList<GenerationFigure> Generation,
    IReadOnlyList<TrainingFigure> Training,
    long PeakResidentGenerationBytes,
    long PeakResidentTrainingBytes)
{
    /// <summary>The highest fp32 matmul rate this stack reached.</summary>
    public double MatmulPeakGflops => MatmulGflopsBySize.Values.DefaultIfEmpty(0).Max();

    public GenerationFigure? GenerationAt(int batch, bool cache) => Generation.FirstOrDefault(g => g.Batch == batch && g.UseCache == cache);

    public TrainingFigure? TrainingOf(string preset) => Training.FirstOrDefault(t => t.Preset == preset);
}

/// <summary>Generation throughput: generated tokens (batch × new tokens) per second of a whole generate call, prefill included.</summary>
internal sealed record GenerationFigure(string Preset, int Batch, bool UseCache, int PromptLength, int NewTokens, int Calls, double MedianSecondsPerCall)
{
    public double TokensPerSecond => Batch * NewTokens / MedianSecondsPerCall;
}

/// <summary>Training throughput and model FLOPs utilisation (training FLOPs per second over the machine's fp32 matmul peak).</summary>
internal sealed record TrainingFigure(string Preset, long Parameters, int Batch, int Length, int Steps, double MedianSecondsPerStep, double FlopsPerStep, double MachinePeakGflops)
{
    public double TokensPerSecond => Batch * Length / MedianSecondsPerStep;

    public double AchievedGflops => FlopsPerStep / MedianSecondsPerStep / 1e9;

    public double ModelFlopsUtilisation => AchievedGflops / MachinePeakGflops;
}

/// <summary>The losses of the same fine-tuning steps from the same weights and batch in both stacks.</summary>
internal sealed record ParityResult(string Preset, double LearningRate, double[] CSharpLosses, double[] PeerLosses, double Tolerance)
{
    public double MaxAbsoluteDifference => CSharpLosses.Zip(PeerLosses, (a, b) => Math.Abs(a - b)).Max();

    public bool Passed => MaxAbsoluteDifference <= Tolerance;
}
