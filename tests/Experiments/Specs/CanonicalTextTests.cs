using Reasoning.Experiments.Specs;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>The canonical text (and so the run's hash): every effective value, immune to formatting.</summary>
public sealed class CanonicalTextTests : IDisposable
{
    private readonly SpecTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static readonly string Block = Yaml(
        "name: canon",
        "seeds: [1, 2]",
        "task:",
        "  kind: arithmetic",
        "  difficulty: 3",
        "  train: 20",
        "  test: 5",
        "policy:",
        "  fine_tuning:",
        "    learning_rate: 3e-3",
        "strategies:",
        "  - strategy: self-consistency",
        "    options:",
        "      samples: 4",
        "  - type: Acme.Search.BeamSearch",
        "    assembly: plugins/acme.dll");

    private static readonly string Reordered = Yaml(
        "# the same experiment, written differently",
        "strategies:",
        "  - options: {samples: 4}   # k",
        "    strategy: 'self-consistency'",
        "  - assembly: \"./plugins/acme.dll\"",
        "    type: Acme.Search.BeamSearch",
        "policy: {fine_tuning: {learning_rate: 0.003}}",
        "task: {test: 5, train: 20, difficulty: 3, kind: arithmetic}",
        "seeds:",
        "  - 1",
        "  - 2",
        "name: canon",
        "output: somewhere/else   # not part of the identity");

    [Fact]
    public void CommentsKeyOrderAndFormattingDoNotChangeIt()
    {
        ExperimentSpec a = _bed.Parse(Block).Spec!;
        ExperimentSpec b = _bed.Parse(Reordered).Spec!;

        Assert.Equal(a.CanonicalText, b.CanonicalText);
        Assert.Equal(a.Hash, b.Hash);
    }

    [Theory]
    [InlineData("seeds: [1, 2]", "seeds: [1, 3]")]
    [InlineData("difficulty: 3", "difficulty: 4")]
    [InlineData("learning_rate: 3e-3", "learning_rate: 2e-3")]
    [InlineData("samples: 4", "samples: 5")]
    [InlineData("name: canon", "name: canon2")]
    public void AnyEffectiveValueChangesIt(string from, string to) =>
        Assert.NotEqual(_bed.Parse(Block).Spec!.Hash, _bed.Parse(Block.Replace(from, to)).Spec!.Hash);

    [Fact]
    public void ItChangesWithThePlugInAssemblysBytes()
    {
        string before = _bed.Parse(Block).Spec!.CanonicalText;
        File.WriteAllBytes(_bed.AssemblyPath, [0x4d, 0x5a, 9]);

        Assert.NotEqual(before, _bed.Parse(Block).Spec!.CanonicalText);
    }

    [Fact]
    public void ItListsEveryEffectiveValueWithDefaults()
    {
        string text = _bed.Parse(Block).Spec!.CanonicalText;
        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_bed.AssemblyPath)))[..16];

        Assert.Equal(
            Yaml(
                "name: canon",
                "seeds: [1, 2]",
                "device: auto",
                "precision: fp32",
                "threads: 0",
                "max_batch_size: 64",
                "task.kind: arithmetic",
                "task.difficulty: 3",
                "task.train: 20",
                "task.test: 5",
                "policy.preset: tiny",
                "policy.sizes.dimension: 128",
                "policy.sizes.layers: 5",
                "policy.sizes.heads: 4",
                "policy.sizes.kv_heads: 4",
                "policy.sizes.hidden_dimension: 352",
                "policy.sizes.max_sequence_length: 256",
                "policy.fine_tuning.steps: 1500",
                "policy.fine_tuning.batch_size: 32",
                "policy.fine_tuning.learning_rate: 0.003",
                "policy.fine_tuning.warmup_steps: 30",
                "policy.fine_tuning.weight_decay: 0.01",
                "policy.fine_tuning.gradient_clip: 1",
                "strategies[0].label: self-consistency",
                "strategies[0].strategy: self-consistency",
                "strategies[0].options.samples: 4",
                "strategies[0].options.temperature: 0.8",
                "strategies[0].options.top_p: 1",
                "strategies[0].options.max_new_tokens: 128",
                "strategies[1].label: BeamSearch",
                "strategies[1].type: Acme.Search.BeamSearch",
                "strategies[1].assembly: acme.dll",
                $"strategies[1].assembly_sha256: {hash}",
                "strategies[1].options.width: 4",
                "strategies[1].options.scoring: mean_step",
                "strategies[1].options.weights: [1]",
                "strategies[1].options.note: null"),
            text);
        Assert.DoesNotContain("output", text);
    }
}
