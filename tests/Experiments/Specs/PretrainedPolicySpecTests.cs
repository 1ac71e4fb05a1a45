using System.Text.Json.Nodes;
using Reasoning.Experiments.Specs;
using Reasoning.Policy.Pretrained;
using Reasoning.Tests.Core.Jsonl;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary><c>policy: {checkpoint: ...}</c>: the model folder is checked whole when the spec is read.</summary>
[Collection(Policy.LeakChecks.Name)]
public sealed class PretrainedPolicySpecTests : IDisposable
{
    private readonly SpecTestBed _bed = new();

    public PretrainedPolicySpecTests()
    {
        Directory.CreateDirectory(Path.Combine(_bed.Folder, "data"));
        File.Copy(DatasetFiles.Gsm8kStyle, Path.Combine(_bed.Folder, "data", "gsm.jsonl"));
        ModelShapes.WriteRandom(Path.Combine(_bed.Folder, "models", "tiny"), ModelShapes.Get("tiny-qwen2"), seed: 1);
    }

    public void Dispose() => _bed.Dispose();

    /// <summary>A spec whose policy section (from line 11) is <paramref name="policy"/>.</summary>
    private static string Spec(params string[] policy) => Yaml(
        [
            "name: t",                      // 1
            "seeds: [1]",                   // 2
            "task:",                        // 3
            "  kind: jsonl",                // 4
            "  path: data/gsm.jsonl",       // 5
            "  question: question",         // 6
            "  answer: answer",             // 7
            "  answer_format: gsm8k",       // 8
            "  train: 20",                  // 9
            "  test: 5",                    // 10
            "policy:",                      // 11
            .. policy,                      // 12...
            "strategies:",
            "  - strategy: greedy",
        ]);

    [Fact]
    public void ACheckpointIsReadWithItsPromptAndItsIdentityNotItsPath()
    {
        SpecLoadResult result = _bed.Parse(Spec("  checkpoint: models/tiny", "  prompt: chatml", "  system: Be brief.", "  context_length: 512"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        PretrainedSpec pretrained = result.Spec!.Policy.Pretrained!;
        Assert.Equal(Path.Combine(_bed.Folder, "models", "tiny"), pretrained.Folder);
        Assert.Equal(("chatml", "Be brief.", 512, false), (pretrained.Prompt, pretrained.System, pretrained.ContextLength, pretrained.FineTune));
        string identity = PretrainedPolicy.Identity(pretrained.Folder);
        Assert.Contains(
            $"policy.checkpoint: tiny\npolicy.checkpoint_sha256: {identity}\npolicy.prompt: chatml\npolicy.system: Be brief.\npolicy.context_length: 512\n",
            result.Spec.CanonicalText);
        Assert.DoesNotContain("fine_tuning", result.Spec.CanonicalText);
        Assert.DoesNotContain(_bed.Folder, result.Spec.CanonicalText);
    }

    [Fact]
    public void FineTuningIsWrittenOutOnlyWhenAsked()
    {
        SpecLoadResult result = _bed.Parse(Spec("  checkpoint: models/tiny", "  fine_tuning: {steps: 30}"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.True(result.Spec!.Policy.Pretrained!.FineTune);
        Assert.Contains("policy.prompt: plain\npolicy.fine_tuning.steps: 30\n", result.Spec.CanonicalText);
    }

    [Fact]
    public void AnotherModelInTheSameFolderIsAnotherRun()
    {
        string before = _bed.Parse(Spec("  checkpoint: models/tiny")).Spec!.Hash;
        ModelShapes.WriteRandom(Path.Combine(_bed.Folder, "models", "tiny"), ModelShapes.Get("tiny-qwen2"), seed: 2);
        Assert.NotEqual(before, _bed.Parse(Spec("  checkpoint: models/tiny")).Spec!.Hash);
    }

    [Fact]
    public void AMissingFolderIsReportedAtTheCheckpointKey()
    {
        SpecLoadResult result = _bed.Parse(Spec("  checkpoint: models/nowhere"));

        SpecError error = Assert.Single(result.Errors);
        Assert.Equal(("policy.checkpoint", 12, 15), (error.Key, error.Location.Line, error.Location.Column));
        Assert.Equal($"{Path.Combine(_bed.Folder, "models", "nowhere")}: the model folder does not exist", error.Message);
    }

    [Fact]
    public void ABrokenTensorIsFoundByValidateNotByTheRun()
    {
        string config = Path.Combine(_bed.Folder, "models", "tiny", "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["intermediate_size"] = 96;
        File.WriteAllText(config, json.ToJsonString());

        SpecError error = Assert.Single(_bed.Parse(Spec("  checkpoint: models/tiny")).Errors);
        Assert.Equal("policy.checkpoint", error.Key);
        Assert.EndsWith("tensor model.layers.0.mlp.gate_proj.weight has shape [128, 64], but config.json implies [96, 64]", error.Message);
    }

    [Fact]
    public void ATokenizerLargerThanTheModelsVocabularyIsRefused()
    {
        string config = Path.Combine(_bed.Folder, "models", "tiny", "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["vocab_size"] = 200; // the byte tokenizer has 259 ids
        File.WriteAllText(config, json.ToJsonString());
        string weights = Path.Combine(_bed.Folder, "models", "tiny");
        using (var model = new Reasoning.Policy.Model.Transformer(HfModelConfig.Read(config).Model, seed: 1))
        {
            ModelFolder.Save(weights, model, sourceFolder: weights);
        }

        SpecError error = Assert.Single(_bed.Parse(Spec("  checkpoint: models/tiny")).Errors);
        Assert.Contains("tokenizer.json: has ids up to 258, but config.json's vocab_size is 200: the tokenizer is not this model's", error.Message);
    }

    [Theory]
    [InlineData("  preset: tiny", "policy.preset", "give either 'checkpoint' (a model folder, which has its own shape) or 'preset', not both")]
    [InlineData("  prompt: alpaca", "policy.prompt", "prompt format \"alpaca\" is neither plain, chatml, llama3 nor a template containing {question}")]
    [InlineData("  context_length: 1", "policy.context_length", "must be at least 2, not 1")]
    public void AWrongCompanionKeyIsNamed(string line, string key, string message)
    {
        SpecError error = Assert.Single(_bed.Parse(Spec("  checkpoint: models/tiny", line)).Errors);
        Assert.Equal((key, message), (error.Key, error.Message));
    }

    [Fact]
    public void APromptWithoutACheckpointIsRefused()
    {
        SpecError error = Assert.Single(_bed.Parse(Spec("  preset: tiny", "  prompt: chatml")).Errors);
        Assert.Equal(("policy.prompt", "'prompt' goes with 'checkpoint' (a Hugging Face model folder)"), (error.Key, error.Message));
    }
}
