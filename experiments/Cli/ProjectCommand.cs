using System.CommandLine;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Experiments.Runner;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;

namespace Reasoning.Experiments.Cli;

/// <summary><c>project</c>: a run's measured token counts carried analytically to a named model scale and accelerator.</summary>
internal static class ProjectCommand
{
    public static Command Build()
    {
        var folder = new Argument<string>("results") { Description = $"a run's folder (the one holding {ExperimentRunner.RecordsFile})" };
        var model = new Option<string>("--model") { Description = $"a preset: {string.Join(", ", ProjectedModel.Presets.Select(p => p.Name))} (default 7b); or give --parameters and the rest", DefaultValueFactory = _ => "7b" };
        var precision = new Option<string>("--precision") { Description = "weights and KV cache at inference: bf16 or fp8", DefaultValueFactory = _ => "bf16" };
        var memory = new Option<double>("--gpu-memory") { Description = "accelerator memory, GiB", DefaultValueFactory = _ => ProjectedHardware.Default.MemoryGiB };
        var teraflops = new Option<double>("--gpu-tflops") { Description = "accelerator peak dense throughput at the precision, TFLOP/s", DefaultValueFactory = _ => ProjectedHardware.Default.PeakTeraFlops };
        var utilisation = new Option<double>("--mfu") { Description = "fraction of the peak a job achieves, in (0, 1]", DefaultValueFactory = _ => ProjectedHardware.Default.Utilisation };
        var parameters = new Option<double?>("--parameters") { Description = "a custom model: total parameters (with --layers, --kv-heads, --head-dim; --active-parameters for a mixture of experts)" };
        var active = new Option<double?>("--active-parameters") { Description = "a custom model's parameters per token (default: all)" };
        var layers = new Option<int?>("--layers") { Description = "a custom model's layers" };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "a custom model's key-value heads" };
        var headDim = new Option<int?>("--head-dim") { Description = "a custom model's head dimension" };
        var config = new Option<string?>("--config") { Description = "a Hugging Face model's config.json, or its folder: the shape is read from it" };
        var command = new Command("project", "Project a run's measured token counts onto a named model scale and accelerator: FLOPs, GPU time and memory, printed as a projection.")
        {
            folder, model, precision, memory, teraflops, utilisation, parameters, active, layers, kvHeads, headDim, config,
        };
        command.SetAction(result => Execute(
            result.GetValue(folder)!,
            new ProjectArguments(
                result.GetValue(model)!, result.GetValue(precision)!, result.GetValue(memory), result.GetValue(teraflops), result.GetValue(utilisation),
                result.GetValue(parameters), result.GetValue(active), result.GetValue(layers), result.GetValue(kvHeads), result.GetValue(headDim),
                result.GetValue(config)),
            Console.Out,
            Console.Error));
        return command;
    }

    public static int Execute(string folder, ProjectArguments arguments, TextWriter output, TextWriter errors)
    {
        string records = Path.Combine(folder, ExperimentRunner.RecordsFile);
        if (!File.Exists(records))
        {
            errors.WriteLine($"{folder}: no {ExperimentRunner.RecordsFile} here; project needs a run's folder, such as results/<experiment>/<spec hash>");
            return ExitCodes.BadInput;
        }

        if (!arguments.TryResolve(out ProjectedModel? model, out ProjectedPrecision precision, out ProjectedHardware? hardware, out string? problem))
        {
            errors.WriteLine($"project: {problem}");
            return ExitCodes.BadInput;
        }

        RunSummary summary = Summarizer.Summarize(RecordLog.Read(records).Records);
        IReadOnlyList<ProjectedCosts> costs = Projection.Project(summary, model!, precision, hardware!);
        output.Write(Projection.Markdown(Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar)), costs, model!, precision, hardware!));
        return ExitCodes.Success;
    }
}

/// <summary>The <c>project</c> command's options as given, checked by <see cref="TryResolve"/>.</summary>
internal sealed record ProjectArguments(
    string Model = "7b",
    string Precision = "bf16",
    double GpuMemoryGiB = 80,
    double GpuTeraFlops = 989,
    double Utilisation = 0.4,
    double? Parameters = null,
    double? ActiveParameters = null,
    int? Layers = null,
    int? KvHeads = null,
    int? HeadDimension = null,
    string? Config = null)
{
    /// <summary>The model, precision and hardware, or the first problem in words that name the option and what it allows.</summary>
    public bool TryResolve(out ProjectedModel? model, out ProjectedPrecision precision, out ProjectedHardware? hardware, out string? problem)
    {
        model = null;
        hardware = null;
        precision = Precision.Equals("fp8", StringComparison.OrdinalIgnoreCase) ? ProjectedPrecision.Fp8 : ProjectedPrecision.Bf16;
        problem = precision == ProjectedPrecision.Fp8 || Precision.Equals("bf16", StringComparison.OrdinalIgnoreCase)
            ? null : $"--precision must be bf16 or fp8, not '{Precision}'";
        problem ??= GpuMemoryGiB > 0 && double.IsFinite(GpuMemoryGiB) ? null : $"--gpu-memory must be a positive number of GiB, not {GpuMemoryGiB}";
        problem ??= GpuTeraFlops > 0 && double.IsFinite(GpuTeraFlops) ? null : $"--gpu-tflops must be positive, not {GpuTeraFlops}";
        problem ??= Utilisation > 0 && Utilisation <= 1 ? null : $"--mfu must be in (0, 1], not {Utilisation}";
        if (problem is not null)
        {
            return false;
        }

        if (Config is { } configPath)
        {
            if (Parameters is not null)
            {
                problem = "give --config or --parameters, not both";
                return false;
            }

            string file = Directory.Exists(configPath) ? Path.Combine(configPath, ModelFolder.ConfigFile) : configPath;
            try
            {
                HfModelConfig hf = HfModelConfig.Read(file);
                TransformerConfig shape = hf.Model;
                string name = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file))) ?? "config";
                model = new ProjectedModel(name, shape.ParameterCount, shape.ParameterCount, shape.Layers, 2 * shape.KvHeads * shape.HeadDimension,
                    $"{hf.Family} from its config.json: {shape.Layers} layers, {shape.KvHeads} KV heads of {shape.HeadDimension}, vocabulary {shape.VocabularySize}");
            }
            catch (ModelFolderException e)
            {
                problem = $"--config: {e.Message}";
                return false;
            }
        }
        else if (Parameters is { } total)
        {
            if (total <= 0 || Layers is not > 0 || KvHeads is not > 0 || HeadDimension is not > 0)
            {
                problem = "a custom model needs --parameters > 0, --layers, --kv-heads and --head-dim (all positive)";
                return false;
            }

            double perToken = ActiveParameters ?? total;
            if (perToken <= 0 || perToken > total)
            {
                problem = $"--active-parameters must be in (0, --parameters], not {perToken}";
                return false;
            }

            model = new ProjectedModel("custom", total, perToken, Layers.Value, 2 * KvHeads.Value * HeadDimension.Value,
                $"{Layers} layers, {KvHeads} KV heads of {HeadDimension}");
        }
        else
        {
            model = ProjectedModel.Preset(Model);
            if (model is null)
            {
                problem = $"unknown --model '{Model}'; presets: {string.Join(", ", ProjectedModel.Presets.Select(p => p.Name))} (or give --parameters, --layers, --kv-heads and --head-dim)";
                return false;
            }
        }

        hardware = new ProjectedHardware(GpuMemoryGiB, GpuTeraFlops, Utilisation);
        return true;
    }
}
