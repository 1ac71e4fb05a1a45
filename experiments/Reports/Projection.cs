using System.Globalization;
using System.Text;

namespace Reasoning.Experiments.Reports;

/// <summary>Weights and KV cache precision of a projected model: BF16 (2 bytes) or FP8 (1 byte).</summary>
internal enum ProjectedPrecision
{
    Bf16,
    Fp8,
}

/// <summary>
/// A model to project a run's costs onto: its total and active (per token) parameters, layers and the KV cache's size
/// per token per layer (2 × KV heads × head dimension for grouped-query attention; the compressed latent plus the
/// decoupled key for multi-head latent attention).
/// </summary>
internal sealed record ProjectedModel(string Name, double Parameters, double ActiveParameters, int Layers, int KvValuesPerTokenPerLayer, string Source)
{
    /// <summary>The presets of the <c>project</c> command, each from its model card or paper.</summary>
    public static IReadOnlyList<ProjectedModel> Presets { get; } =
    [
        new("1.5b", 1.54e9, 1.54e9, 28, 2 * 2 * 128, "dense, 28 layers, 2 KV heads of 128 (Qwen2.5-1.5B)"),
        new("7b", 7.62e9, 7.62e9, 28, 2 * 4 * 128, "dense, 28 layers, 4 KV heads of 128 (Qwen2.5-7B)"),
        new("70b", 70.6e9, 70.6e9, 80, 2 * 8 * 128, "dense, 80 layers, 8 KV heads of 128 (Llama 3 70B)"),
        new("671b-moe", 671e9, 37e9, 61, 512 + 64, "mixture of experts, 37B active, 61 layers, latent KV of 512 + 64 (DeepSeek-V3)"),
    ];

    /// <summary>The preset named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ProjectedModel? Preset(string name) =>
        Presets.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The accelerator the projection divides by: its memory, its peak dense throughput at the precision, and the fraction of it a job achieves (MFU).</summary>
internal sealed record ProjectedHardware(double MemoryGiB, double PeakTeraFlops, double Utilisation)
{
    /// <summary>An 80 GiB accelerator at 989 dense BF16 TFLOP/s (H100 SXM's data sheet), 40% utilisation.</summary>
    public static ProjectedHardware Default { get; } = new(80, 989, 0.4);
}

/// <summary>One strategy's projected costs. FLOPs and bytes are plain numbers; seconds at the hardware's achieved throughput.</summary>
internal sealed record ProjectedCosts(
    string Label,
    double TrainFlops,
    double TrainGpuHours,
    double TrainStateBytes,
    int TrainGpus,
    double InferenceFlopsPerQuestion,
    double InferenceGpuSecondsPerQuestion,
    double InferenceBytes,
    int InferenceGpus);

/// <summary>
/// The analytic projection of a run's measured token counts onto a named model and accelerator (the formulas are in
/// <c>docs/projection.md</c>). The run's token counts are taken as they are: the projection assumes the strategy
/// would read, write and train the same tokens at the larger scale, and says nothing about accuracy.
/// </summary>
internal static class Projection
{
    /// <summary>Bytes per parameter that mixed-precision AdamW keeps for a trained model: BF16 weights and gradients (2 + 2), FP32 master weights (4), two FP32 moments (8).</summary>
    public const double TrainedBytesPerParameter = 16;

    /// <summary>
    /// Projects every strategy of <paramref name="summary"/>. Training: FLOPs = 2·N_active·processed + 6·N_active·trained;
    /// memory = 16 bytes per parameter for the model trained plus the weights of one frozen model (the policy that
    /// samples, or GRPO's reference) when the phase trained anything. Inference per question: FLOPs =
    /// 2·N_active·processed; memory = the weights plus the KV cache of all the question's processed tokens at once
    /// (an upper bound for one question). Time = FLOPs / (peak · utilisation). Attention FLOPs and activations are
    /// left out: the runs' sequences are short.
    /// </summary>
    public static IReadOnlyList<ProjectedCosts> Project(RunSummary summary, ProjectedModel model, ProjectedPrecision precision, ProjectedHardware hardware)
    {
        ArgumentNullException.ThrowIfNull(summary);
        double weightBytes = precision == ProjectedPrecision.Fp8 ? 1 : 2;
        double achieved = hardware.PeakTeraFlops * 1e12 * hardware.Utilisation;
        double memory = hardware.MemoryGiB * Formats.BytesPerGibibyte;
        double kvBytesPerToken = (double)model.Layers * model.KvValuesPerTokenPerLayer * weightBytes;
        var result = new List<ProjectedCosts>();
        foreach (StrategySummary s in summary.Strategies)
        {
            PhaseSummary? train = s.Train;
            double trainFlops = train is null ? 0 : 2 * model.ActiveParameters * train.ProcessedTokens + 6 * model.ActiveParameters * train.TrainedTokens;
            double trainBytes = train is null || train.TrainedTokens == 0 ? 0
                : TrainedBytesPerParameter * model.Parameters + weightBytes * model.Parameters;
            PerQuestionFigures? perQuestion = s.Inference?.PerQuestion;
            double inferenceFlops = perQuestion is null ? 0 : 2 * model.ActiveParameters * perQuestion.ProcessedTokens;
            double inferenceBytes = perQuestion is null ? 0 : weightBytes * model.Parameters + kvBytesPerToken * perQuestion.ProcessedTokens;
            result.Add(new ProjectedCosts(
                s.Label,
                trainFlops,
                trainFlops / achieved / 3600,
                trainBytes,
                (int)Math.Ceiling(trainBytes / memory),
                inferenceFlops,
                inferenceFlops / achieved,
                inferenceBytes,
                (int)Math.Ceiling(inferenceBytes / memory)));
        }

        return result;
    }

    /// <summary>The projection as a Markdown table under a heading that says what it is.</summary>
    public static string Markdown(string run, IReadOnlyList<ProjectedCosts> costs, ProjectedModel model, ProjectedPrecision precision, ProjectedHardware hardware)
    {
        var text = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        text.Append($"PROJECTION, not a measurement: the token counts measured in {run}, carried to {model.Name}, {model.Source}, ")
            .Append(string.Create(c, $"{model.Parameters:0.###e0} parameters ({model.ActiveParameters:0.###e0} per token), in {precision.ToString().ToUpperInvariant()} "))
            .Append(string.Create(c, $"on accelerators of {hardware.MemoryGiB:0.#} GiB at {hardware.PeakTeraFlops:0.#} TFLOP/s peak and {hardware.Utilisation * 100:0.#}% utilisation. "))
            .Append("It assumes the same tokens at that scale and says nothing about accuracy; the formulas are in docs/projection.md.\n\n");
        text.Append("| strategy | train FLOPs | train GPU-hours | train memory (GiB) | train GPUs for memory | inference FLOPs / question | inference GPU-seconds / question | inference memory (GiB) | inference GPUs for memory |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (ProjectedCosts p in costs)
        {
            text.Append(string.Create(c,
                $"| {p.Label} | {Formats.Scientific(p.TrainFlops)} | {Sig(p.TrainGpuHours)} | {Sig(p.TrainStateBytes / Formats.BytesPerGibibyte)} | {p.TrainGpus} | " +
                $"{Formats.Scientific(p.InferenceFlopsPerQuestion)} | {Sig(p.InferenceGpuSecondsPerQuestion)} | {Sig(p.InferenceBytes / Formats.BytesPerGibibyte)} | {p.InferenceGpus} |\n"));
        }

        return text.ToString();

        static string Sig(double value) =>
            value == 0 ? "0" : value.ToString(value >= 100 ? "N0" : value >= 1 ? "0.0" : value >= 0.01 ? "0.00" : "0.00e0", CultureInfo.InvariantCulture);
    }
}
