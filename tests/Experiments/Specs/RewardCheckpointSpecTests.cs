using Reasoning.Core.Tasks;
using Reasoning.Experiments.Specs;
using Reasoning.Policy.Pretrained;
using Reasoning.Search.Mcts.Strategies;
using Reasoning.Tests.Core.Jsonl;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary><c>reward_checkpoint</c>: a pretrained PRM folder, relative to the spec, checked when the spec is read; absent, every hash is as before.</summary>
public sealed class RewardCheckpointSpecTests : IDisposable
{
    private readonly SpecTestBed _bed = new();
    private readonly SpecCatalog _catalog;

    public RewardCheckpointSpecTests()
    {
        Directory.CreateDirectory(Path.Combine(_bed.Folder, "data"));
        File.Copy(DatasetFiles.Gsm8kStyle, Path.Combine(_bed.Folder, "data", "gsm.jsonl"));
        ModelShapes.WriteRandom(Path.Combine(_bed.Folder, "prm"), ModelShapes.Get("tiny-qwen2"), seed: 1);
        _catalog = new SpecCatalog(TaskRegistry.CreateDefault(), [BestOfNStrategy.Descriptor, PrmMctsStrategy.Descriptor], _bed.Loader);
    }

    public void Dispose() => _bed.Dispose();

    private SpecLoadResult Parse(string options) => SpecLoader.Parse(
        Yaml(
        [
            "name: t",
            "seeds: [1]",
            "task: {kind: jsonl, path: data/gsm.jsonl, question: question, answer: answer, answer_format: gsm8k, train: 20, test: 5}",
            "strategies:",
            "  - strategy: best-of-n",
            $"    options: {options}",
        ]),
        FileName, _bed.Folder, _catalog);

    [Fact]
    public void APretrainedPrmNeedsNoStepLabelsAndIsResolvedAgainstTheSpec()
    {
        SpecLoadResult result = Parse("{reward_checkpoint: prm, step_tag: '<|im_start|>'}");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var options = Assert.IsAssignableFrom<RewardModelSettings>(result.Spec!.Strategies[0].Options);
        Assert.Equal(Path.Combine(_bed.Folder, "prm"), options.ResolvedRewardCheckpoint);
        Assert.Contains("strategies[0].options.reward_checkpoint: prm\nstrategies[0].options.step_tag: <|im_start|>\n", result.Spec.CanonicalText);
        Assert.DoesNotContain("good_token", result.Spec.CanonicalText); // at its default: left out, as before the option existed
    }

    [Fact]
    public void WithoutItTheOptionsAreWrittenAsBefore()
    {
        SpecLoadResult result = Parse("{labels: monte_carlo}");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.DoesNotContain("reward_checkpoint", result.Spec!.CanonicalText);
        Assert.DoesNotContain("step_tag", result.Spec.CanonicalText);
    }

    [Fact]
    public void AMissingFolderAndATagThatIsNotOneTokenAreNamedAtTheirKeys()
    {
        SpecError missing = Assert.Single(Parse("{reward_checkpoint: nowhere}").Errors);
        Assert.Equal("strategies[0].options.reward_checkpoint", missing.Key);
        Assert.EndsWith("nowhere: the model folder does not exist", missing.Message);

        SpecError tag = Assert.Single(Parse("{reward_checkpoint: prm}").Errors); // the default tag ки is four byte tokens here
        Assert.Equal(("strategies[0].options.step_tag", 6), (tag.Key, tag.Location.Line));
        Assert.StartsWith("step_tag \"ки\" is not one token of this tokenizer", tag.Message);
    }
}
