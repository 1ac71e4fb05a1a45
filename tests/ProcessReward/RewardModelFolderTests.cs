using Reasoning.Core.Accounting;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;
using Reasoning.Tests.Policy;
using TorchSharp;

namespace Reasoning.Tests.ProcessReward;

/// <summary>A reward model on a pretrained backbone, saved as a Hugging Face model folder with its head beside it, and read back.</summary>
[Collection(LeakChecks.Name)]
public sealed class RewardModelFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reward-folder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ASavedRewardModelScoresTheSameWhenLoadedBack()
    {
        string source = Path.Combine(_root, "base");
        ModelShapes.WriteRandom(source, ModelShapes.Get("tiny-qwen2"), seed: 4);
        using PretrainedPolicy policy = PretrainedPolicy.Load(source, PromptFormat.ChatMl(), "\n");
        using RewardModel trained = RewardModel.FromPolicy(policy.Model, policy.Tokenizer, RewardModelKind.ProcessReward, seed: 5);
        var solutions = new[] { new SolutionLines("What is 2+3?", ["2+3=5", "#### 5"]) };
        double[] before = trained.Score(solutions, NullUsageMeter.Instance)[0];

        string saved = Path.Combine(_root, "reward");
        trained.SaveFolder(saved, source);
        using RewardModel loaded = RewardModel.Fresh(policy.Model.Config, policy.Tokenizer, RewardModelKind.ProcessReward, seed: 99);
        Assert.NotEqual(before, loaded.Score(solutions, NullUsageMeter.Instance)[0]);
        loaded.LoadFolder(saved);

        Assert.Equal(before, loaded.Score(solutions, NullUsageMeter.Instance)[0]);
        Assert.True(File.Exists(Path.Combine(saved, "tokenizer.json")));
        using LoadedModelFolder backbone = ModelFolder.Load(saved); // a policy's folder: the same loader reads it
        Assert.Equal(policy.Model.Config, backbone.Model.Config);
    }

    [Fact]
    public void AFolderWithoutItsHeadIsRefusedAndTheModelLeftAsItWas()
    {
        string source = Path.Combine(_root, "base");
        ModelShapes.WriteRandom(source, ModelShapes.Get("tiny-qwen2"), seed: 4);
        using PretrainedPolicy policy = PretrainedPolicy.Load(source, PromptFormat.Plain, "\n");
        using RewardModel model = RewardModel.FromPolicy(policy.Model, policy.Tokenizer, RewardModelKind.ProcessReward, seed: 5);
        var solutions = new[] { new SolutionLines("Q", ["a"]) };
        double[] before = model.Score(solutions, NullUsageMeter.Instance)[0];

        var error = Assert.Throws<ModelFolderException>(() => model.LoadFolder(source));
        Assert.Equal(Path.Combine(source, RewardModel.HeadFile) + ": not found", error.Message);
        Assert.Equal(before, model.Score(solutions, NullUsageMeter.Instance)[0]);
    }
}
