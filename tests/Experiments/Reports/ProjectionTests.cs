using Reasoning.Experiments.Cli;
using Reasoning.Experiments.Reports;
using Reasoning.Tests.Experiments;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class ProjectionTests
{
    [Fact]
    public void TheSmallRunCarriedTo7bMatchesTheFormulasWorkedByHand()
    {
        // "search": train means 220,000 processed and 110,000 trained tokens; inference 2,200 processed tokens per question.
        RunSummary summary = Summarizer.Summarize(SampleRecords.SmallRun());
        ProjectedModel model = ProjectedModel.Preset("7b")!;
        ProjectedCosts search = Projection.Project(summary, model, ProjectedPrecision.Bf16, ProjectedHardware.Default)[0];

        double n = 7.62e9, achieved = 989e12 * 0.4;
        Assert.Equal(2 * n * 220_000 + 6 * n * 110_000, search.TrainFlops, 1e3);           // 8.382e15
        Assert.Equal(8.382e15 / achieved / 3600, search.TrainGpuHours, 12);                 // 0.00589 h
        Assert.Equal(18 * n, search.TrainStateBytes, 1);                                     // 16 B trained + 2 B frozen per parameter
        Assert.Equal(2, search.TrainGpus);                                                   // 127.7 GiB on 80 GiB accelerators
        Assert.Equal(2 * n * 2200, search.InferenceFlopsPerQuestion, 1e3);
        Assert.Equal(3.3528e13 / achieved, search.InferenceGpuSecondsPerQuestion, 12);
        // Weights 2 B × N plus the KV cache: 28 layers × (2 × 4 × 128) values × 2 B = 57,344 B per token, 2,200 tokens.
        Assert.Equal(2 * n + 57_344.0 * 2200, search.InferenceBytes, 1);
        Assert.Equal(1, search.InferenceGpus);
    }

    [Fact]
    public void Fp8HalvesWeightsAndCacheAndAMixtureOfExpertsComputesWithItsActiveParameters()
    {
        RunSummary summary = Summarizer.Summarize(SampleRecords.SmallRun());
        ProjectedModel moe = ProjectedModel.Preset("671B-MoE")!;
        ProjectedCosts bf16 = Projection.Project(summary, moe, ProjectedPrecision.Bf16, ProjectedHardware.Default)[0];
        ProjectedCosts fp8 = Projection.Project(summary, moe, ProjectedPrecision.Fp8, ProjectedHardware.Default)[0];

        Assert.Equal(2 * 37e9 * 2200, bf16.InferenceFlopsPerQuestion, 1e3);
        Assert.Equal(bf16.InferenceBytes / 2, fp8.InferenceBytes, 1);
        Assert.Equal(671e9 + 61 * 576.0 * 2200, fp8.InferenceBytes, 1);
        Assert.Equal(bf16.InferenceFlopsPerQuestion, fp8.InferenceFlopsPerQuestion);
    }

    [Fact]
    public void AStrategyThatTrainsNothingNeedsNoTrainingMemory()
    {
        RunSummary summary = Summarizer.Summarize(SampleRecords.SmallRun());
        ProjectedCosts broken = Projection.Project(summary, ProjectedModel.Preset("1.5b")!, ProjectedPrecision.Bf16, ProjectedHardware.Default)
            .Single(p => p.Label == "broken");
        Assert.Equal((0.0, 0.0, 0, 0.0), (broken.TrainFlops, broken.TrainStateBytes, broken.TrainGpus, broken.InferenceFlopsPerQuestion));
    }

    [Fact]
    public void TheTableSaysItIsAProjection()
    {
        RunSummary summary = Summarizer.Summarize(SampleRecords.SmallRun());
        ProjectedModel model = ProjectedModel.Preset("70b")!;
        string table = Projection.Markdown("demo", Projection.Project(summary, model, ProjectedPrecision.Bf16, ProjectedHardware.Default), model, ProjectedPrecision.Bf16, ProjectedHardware.Default);
        Assert.StartsWith("PROJECTION, not a measurement: the token counts measured in demo, carried to 70b", table);
        Assert.Contains("40% utilisation", table);
        Assert.Contains("| search | ", table);
    }

    [Theory]
    [InlineData("--model", "13b", "unknown --model '13b'; presets: 1.5b, 7b, 70b, 671b-moe")]
    [InlineData("--precision", "fp4", "--precision must be bf16 or fp8, not 'fp4'")]
    [InlineData("--mfu", "1.5", "--mfu must be in (0, 1], not 1.5")]
    [InlineData("--parameters", "1e9", "a custom model needs --parameters > 0, --layers, --kv-heads and --head-dim")]
    public void BadOptionsAreNamedWithWhatTheyAllow(string option, string value, string message)
    {
        var arguments = option switch
        {
            "--model" => new ProjectArguments(Model: value),
            "--precision" => new ProjectArguments(Precision: value),
            "--mfu" => new ProjectArguments(Utilisation: double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)),
            _ => new ProjectArguments(Parameters: double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)),
        };
        Assert.False(arguments.TryResolve(out _, out _, out _, out string? problem));
        Assert.StartsWith(message, problem);
    }

    [Fact]
    public void ACustomModelIsBuiltFromItsShape()
    {
        Assert.True(new ProjectArguments(Parameters: 3e9, ActiveParameters: 1e9, Layers: 10, KvHeads: 2, HeadDimension: 64)
            .TryResolve(out ProjectedModel? model, out _, out _, out _));
        Assert.Equal((3e9, 1e9, 10, 256), (model!.Parameters, model.ActiveParameters, model.Layers, model.KvValuesPerTokenPerLayer));
    }

    [Fact]
    public void AModelFoldersConfigGivesTheShape()
    {
        // The Qwen3 fixture: vocabulary 96, hidden 32, 2 layers, 4 heads and 2 KV heads of 16 (head_dim, not 32 / 4), MLP 64, tied.
        // Parameters by hand: embedding 96·32 = 3,072; per layer q 32·64 + k 32·32 + v 32·32 + o 64·32 + MLP 3·32·64
        // + two norms 2·32 + q/k norms 2·16 = 12,384, two layers 24,768; final norm 32; in all 27,872.
        string folder = Path.Combine(TestRepository.Root, "tests", "fixtures", "hf", "qwen3");
        Assert.True(new ProjectArguments(Config: folder).TryResolve(out ProjectedModel? model, out _, out _, out string? problem), problem);
        Assert.Equal(("qwen3", 27_872.0, 27_872.0, 2, 2 * 2 * 16), (model!.Name, model.Parameters, model.ActiveParameters, model.Layers, model.KvValuesPerTokenPerLayer));
        Assert.True(new ProjectArguments(Config: Path.Combine(folder, "config.json")).TryResolve(out _, out _, out _, out _));

        Assert.False(new ProjectArguments(Config: folder, Parameters: 1e9).TryResolve(out _, out _, out _, out problem));
        Assert.Equal("give --config or --parameters, not both", problem);
        Assert.False(new ProjectArguments(Config: Path.GetTempPath()).TryResolve(out _, out _, out _, out problem));
        Assert.StartsWith("--config: ", problem);
        Assert.EndsWith("config.json: not found (a Hugging Face model folder has a config.json)", problem);
    }

    [Fact]
    public void TheCommandProjectsAPublishedRunAndRejectsAFolderWithoutRecords()
    {
        var output = new StringWriter();
        Assert.Equal(0, ProjectCommand.Execute(Path.Combine(TestRepository.Root, "docs", "results", "r1-grpo"), new ProjectArguments(), output, new StringWriter()));
        Assert.Contains("| grpo-dr-grpo | ", output.ToString());
        var errors = new StringWriter();
        Assert.Equal(2, ProjectCommand.Execute(Path.GetTempPath(), new ProjectArguments(), new StringWriter(), errors));
        Assert.Contains("no records.msgpack here", errors.ToString());
    }
}
