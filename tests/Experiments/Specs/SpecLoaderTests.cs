using Reasoning.Core.Strategies;
using Reasoning.Experiments.Specs;
using Reasoning.Policy.Strategies;
using Reasoning.Policy.Training;
using Reasoning.Tests.Core;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>Valid specs: the typed values, the defaults, plug-ins.</summary>
public sealed class SpecLoaderTests : IDisposable
{
    private readonly SpecTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static readonly string FullSpec = Yaml(
        "# every section, most values given",
        "name: quickstart",
        "seeds: [1, 2, 3]",
        "device: cpu",
        "precision: bf16",
        "threads: 2",
        "max_batch_size: 32",
        "output: out/quick",
        "task:",
        "  kind: arithmetic",
        "  difficulty: 3",
        "  train: 2000",
        "  test: 100",
        "policy:",
        "  sizes: {dimension: 64, layers: 2, heads: 4, kv_heads: 2, hidden_dimension: 128}",
        "  fine_tuning: {steps: 500, batch_size: 16, learning_rate: 3e-3, warmup_steps: 0, weight_decay: 0, gradient_clip: 0.5}",
        "strategies:",
        "  - strategy: greedy",
        "    options: {max_new_tokens: 64}",
        "  - label: sc-8",
        "    strategy: self-consistency",
        "    options:",
        "      samples: 8",
        "      temperature: 0.5",
        "      top_p: 1");

    [Fact]
    public void AFullSpecGivesTheTypedValues()
    {
        SpecLoadResult result = _bed.Parse(FullSpec);

        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        ExperimentSpec spec = result.Spec!;
        Assert.Equal("quickstart", spec.Name);
        Assert.Equal(SpecTestBed.FileName, spec.SourceFile);
        Assert.Equal([1L, 2L, 3L], spec.Seeds);
        Assert.Equal(new HostSpec("cpu", "bf16", 2, 32), spec.Host);
        Assert.Equal("out/quick", spec.Output);
        Assert.Equal("arithmetic", spec.Task.Task.Name);
        Assert.Null(spec.Task.Plugin);
        Assert.Equal((3, 2000, 100), (spec.Task.Difficulty, spec.Task.Train, spec.Task.Test));
        Assert.Null(spec.Policy.Preset);
        Assert.Equal(new ModelSizes(64, 2, 4, 2, 128, 256), spec.Policy.Sizes);
        Assert.Equal(new FineTuningOptions(Steps: 500, BatchSize: 16, LearningRate: 3e-3, WarmupSteps: 0, WeightDecay: 0, GradientClip: 0.5), spec.Policy.FineTuning);
        Assert.Equal(64, spec.Policy.ConfigFor(40).Dimension);

        Assert.Equal(["greedy", "sc-8"], spec.Strategies.Select(s => s.Label));
        Assert.Equal(["greedy", "self-consistency"], spec.Strategies.Select(s => s.Strategy));
        Assert.Same(GreedyStrategy.Descriptor, spec.Strategies[0].Descriptor);
        Assert.Equal(64, Assert.IsType<GreedyOptions>(spec.Strategies[0].Options).MaxNewTokens);
        var sc = Assert.IsType<SelfConsistencyOptions>(spec.Strategies[1].Options);
        Assert.Equal((8, 0.5, 1.0, 128), (sc.Samples, sc.Temperature, sc.TopP, sc.MaxNewTokens));
        Assert.Equal(new SourceLocation(SpecTestBed.FileName, 20, 5), spec.Strategies[1].Location);
        Assert.IsType<SelfConsistencyStrategy>(spec.Strategies[1].Create());
        Assert.Matches("^[0-9a-f]{12}$", spec.Hash);
    }

    [Fact]
    public void AMinimalSpecGetsEveryDefault()
    {
        SpecLoadResult result = _bed.Parse(Yaml(
            "name: minimal",
            "seeds: [7]",
            "task: {kind: countdown, difficulty: 2, train: 10, test: 5}",
            "strategies:",
            "  - strategy: greedy"));

        ExperimentSpec spec = Assert.IsType<ExperimentSpec>(result.Spec);
        Assert.Equal(new HostSpec("auto", "fp32", 0, 64), spec.Host);
        Assert.Equal("results/minimal", spec.Output);
        Assert.Equal("tiny", spec.Policy.Preset);
        Assert.Null(spec.Policy.Sizes);
        Assert.Equal(new FineTuningOptions(), spec.Policy.FineTuning);
        Assert.Equal(128, Assert.IsType<GreedyOptions>(spec.Strategies[0].Options).MaxNewTokens);
        Assert.Equal("greedy", spec.Strategies[0].Label);
    }

    [Fact]
    public void ThePresetIsKeptAndExplicitSizesDefaultTheirSequenceLength()
    {
        ExperimentSpec small = _bed.Parse(MinimalWith("policy: {preset: small}")).Spec!;
        ExperimentSpec sized = _bed.Parse(MinimalWith("policy:", "  sizes: {dimension: 32, layers: 1, heads: 2, kv_heads: 1, hidden_dimension: 64, max_sequence_length: 128}")).Spec!;

        Assert.Equal(("small", null), (small.Policy.Preset, small.Policy.Sizes));
        Assert.Equal(384, small.Policy.ConfigFor(50).Dimension);
        Assert.Equal(new ModelSizes(32, 1, 2, 1, 64, 128), sized.Policy.Sizes);
    }

    [Fact]
    public void PlugInsAreLoadedRelativeToTheSpecFolder()
    {
        SpecLoadResult result = _bed.Parse(Yaml(
            "name: plugins",
            "seeds: [1]",
            "task:",
            "  type: Acme.Tasks.Parity",
            "  assembly: plugins/acme.dll",
            "  difficulty: 8",
            "  train: 10",
            "  test: 5",
            "strategies:",
            "  - type: Acme.Search.BeamSearch",
            "    assembly: ./plugins/../plugins/acme.dll",
            "    options: {width: 8, scoring: last_step, weights: [0.5, 2], note: wide}"));

        Assert.Empty(result.Errors);
        ExperimentSpec spec = result.Spec!;
        Assert.IsType<ParityTask>(spec.Task.Task);
        Assert.Equal(new PluginReference("Acme.Tasks.Parity", _bed.AssemblyPath), spec.Task.Plugin);
        StrategySpec beam = Assert.Single(spec.Strategies);
        Assert.Equal(("BeamSearch", "Acme.Search.BeamSearch"), (beam.Label, beam.Strategy));
        Assert.Equal(new PluginReference("Acme.Search.BeamSearch", _bed.AssemblyPath), beam.Plugin);
        var options = Assert.IsType<FakeStrategyOptions>(beam.Options);
        Assert.Equal((8, FakeScoring.LastStep, "wide"), (options.Width, options.Scoring, options.Note));
        Assert.Equal([0.5, 2.0], options.Weights);
        Assert.All(_bed.Loader.Calls, call => Assert.Equal(_bed.AssemblyPath, call.AssemblyPath));
    }

    [Fact]
    public void LoadReadsTheFileAndResolvesPlugInsBesideIt()
    {
        string path = Path.Combine(_bed.Folder, "experiment.yaml");
        File.WriteAllText(path, MinimalWith().Replace("  - strategy: greedy", "  - type: Acme.Search.BeamSearch\n    assembly: plugins/acme.dll"));

        SpecLoadResult result = SpecLoader.Load(path, _bed.Catalog);

        Assert.Empty(result.Errors);
        Assert.Equal(path, result.Spec!.SourceFile);
        Assert.Equal(_bed.AssemblyPath, result.Spec.Strategies[0].Plugin!.AssemblyPath);
    }

    [Fact]
    public void ALoaderThatThrowsIsReportedNotPropagated()
    {
        _bed.Loader.Throws = new BadImageFormatException("the loader broke");

        SpecLoadResult result = _bed.Parse(MinimalWith().Replace("  - strategy: greedy", "  - type: Acme.Search.BeamSearch\n    assembly: plugins/acme.dll"));

        SpecError error = Assert.Single(result.Errors);
        Assert.Equal(("strategies[0].type", 5, 11), (error.Key, error.Location.Line, error.Location.Column));
        Assert.EndsWith("acme.dll': the loader broke", error.Message);
    }

    [Fact]
    public void ATargetInvocationExceptionFromAConstructorIsUnwrapped()
    {
        StrategyDescriptor reflective = StrategyDescriptor.For<FakeStrategyOptions>(
            "reflective", "made through reflection", _ => (IStrategy)Activator.CreateInstance(typeof(RefusingStrategy))!);
        var catalog = _bed.Catalog with { Strategies = [reflective] };

        SpecLoadResult result = SpecLoader.Parse(MinimalWith().Replace("greedy", "reflective"), FileName, _bed.Folder, catalog);

        Assert.Equal("spec.yaml:5:5: strategies[0]: constructing strategy reflective threw: no, thank you", Assert.Single(result.Errors).ToString());
    }

    private static string MinimalWith(params string[] extra) => Yaml(
        [
            "name: minimal",
            "seeds: [7]",
            "task: {kind: countdown, difficulty: 2, train: 10, test: 5}",
            "strategies:",
            "  - strategy: greedy",
            .. extra,
        ]);
}
