using Microsoft.Extensions.Logging;
using Reasoning.Experiments.Cli;
using Reasoning.Experiments.Records;
using Reasoning.Policy.Pretrained;
using Reasoning.Tests.Core.Jsonl;

namespace Reasoning.Tests.Experiments.Runner;

/// <summary>
/// A run on a Hugging Face model folder and a JSONL dataset, end to end: the base policy fine-tuned from the checkpoint
/// and cached as a model folder, the sampling baseline, a PRM search with Monte-Carlo labels and GRPO all run on it,
/// are counted and are recorded.
/// </summary>
public sealed class PretrainedRunTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pretrained-run-").FullName;

    public PretrainedRunTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "data"));
        File.Copy(DatasetFiles.Gsm8kStyle, Path.Combine(_folder, "data", "gsm.jsonl"));
        ModelShapes.WriteRandom(Path.Combine(_folder, "model"), ModelShapes.Get("tiny-qwen2"), seed: 1);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task EveryStrategyRunsOnAPretrainedModelAndAFreeTextDataset()
    {
        string spec = Path.Combine(_folder, "spec.yaml");
        File.WriteAllText(spec, $$"""
            name: pretrained
            seeds: [1]
            task: {kind: jsonl, path: data/gsm.jsonl, question: question, answer: answer, answer_format: gsm8k, train: 12, test: 4}
            policy:
              checkpoint: model
              prompt: chatml
              context_length: 512
              fine_tuning: {steps: 40, batch_size: 8}
            strategies:
              - strategy: greedy
                options: {max_new_tokens: 48}
              - strategy: best-of-n
                options: {samples: 2, labels: monte_carlo, rollouts: 2, label_problems: 4, samples_per_problem: 2, reward_steps: 4, max_new_tokens: 48}
              - label: math-shepherd
                strategy: best-of-n
                options: {samples: 2, reward_checkpoint: model, step_tag: "<|im_start|>", max_new_tokens: 48}
              - strategy: r1-grpo
                options: {steps: 2, prompts_per_step: 4, group_size: 2, max_response_length: 48, held_out_problems: 2, evaluate_every: 0}
            output: {{Path.Combine(_folder, "out")}}
            """);
        var output = new StringWriter();

        int exit = await RunCommand.ExecuteAsync(spec, new CommandSettings(Plain: true, LogLevel: LogLevel.None), output, output);

        Assert.True(exit == 0, output.ToString());
        string run = Directory.GetDirectories(Path.Combine(_folder, "out")).Single(d => Path.GetFileName(d) != "cache");
        IReadOnlyList<RunRecord> records = RecordLog.Read(Path.Combine(run, "records.msgpack")).Records;
        Assert.Equal(5, records.OfType<UnitFinished>().Count()); // the base policy and four strategies
        Assert.Equal(4 * 4, records.OfType<AttemptRecord>().Count());
        PhaseRecord sft = records.OfType<PhaseRecord>().Single(p => p.Label == RunRecord.BasePolicyLabel);
        Assert.True(sft.TrainedTokens > 0 && sft.Flops > 0, "the checkpoint was fine-tuned and charged");
        foreach (string label in new[] { "greedy", "best-of-n", "math-shepherd", "r1-grpo" })
        {
            PhaseRecord inference = records.OfType<PhaseRecord>().Single(p => p.Label == label && p.Phase == "inference");
            Assert.True(inference.GeneratedTokens > 0 && inference.Flops > 0, label);
        }

        Assert.True(records.OfType<PhaseRecord>().Single(p => p.Label == "best-of-n" && p.Phase == "train").GeneratedTokens > 0, "Monte-Carlo labels sample");
        Assert.True(records.OfType<PhaseRecord>().Single(p => p.Label == "r1-grpo" && p.Phase == "train").TrainedTokens > 0, "GRPO trains");
        PhaseRecord shepherd = records.OfType<PhaseRecord>().Single(p => p.Label == "math-shepherd" && p.Phase == "train");
        Assert.Equal((0L, 0L), (shepherd.GeneratedTokens, shepherd.TrainedTokens)); // a pretrained PRM is loaded, not trained

        // The fine-tuned base is cached as a model folder the same loader reads.
        string cached = Directory.GetDirectories(Path.Combine(_folder, "out", "cache"), "base-*").Single();
        using LoadedModelFolder loaded = ModelFolder.Load(cached);
        Assert.Equal(ModelFamily.Qwen2, loaded.Config.Family);
        Assert.True(File.Exists(Path.Combine(cached, "tokenizer.json")));

        // The reward model trained on it too: a model folder for its backbone, its head beside it.
        string reward = Directory.GetDirectories(Path.Combine(_folder, "out", "cache", "reward-models"), "reward-*").Single();
        Assert.True(File.Exists(Path.Combine(reward, "reward_head.safetensors")));
        using (LoadedModelFolder backbone = ModelFolder.Load(reward))
        {
            Assert.Equal(loaded.Config.Model, backbone.Config.Model);
        }

        // Run again: every unit is found finished, and the cached base is not trained twice.
        var again = new StringWriter();
        Assert.Equal(0, await RunCommand.ExecuteAsync(spec, new CommandSettings(Plain: true, LogLevel: LogLevel.None), again, again));
        Assert.Equal(5, RecordLog.Read(Path.Combine(run, "records.msgpack")).Records.OfType<UnitFinished>().Count());
    }
}
