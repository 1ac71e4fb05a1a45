using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Reasoning.Core.Accounting;
using Reasoning.Core.Storage;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Evaluation;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using Reasoning.Policy.Training;

namespace Reasoning.Experiments.Cli;

/// <summary><c>finetune</c>: supervised fine-tuning of a fresh policy on one task, then greedy accuracy on held-out problems.</summary>
internal static class FineTuneCommand
{
    public static Command Build()
    {
        var task = new Option<string>("--task") { Description = "task name", DefaultValueFactory = _ => "arithmetic" };
        var difficulty = new Option<int>("--difficulty") { Description = "number of steps", DefaultValueFactory = _ => 2 };
        var preset = new Option<string>("--preset") { Description = "policy preset: tiny or small", DefaultValueFactory = _ => "tiny" };
        var train = new Option<int>("--train") { Description = "training problems", DefaultValueFactory = _ => 20_000 };
        var test = new Option<int>("--test") { Description = "held-out problems", DefaultValueFactory = _ => 500 };
        var steps = new Option<int>("--steps") { Description = "optimizer steps", DefaultValueFactory = _ => new FineTuningOptions().Steps };
        var batch = new Option<int>("--batch") { Description = "problems per step", DefaultValueFactory = _ => new FineTuningOptions().BatchSize };
        var rate = new Option<double>("--lr") { Description = "peak learning rate", DefaultValueFactory = _ => new FineTuningOptions().LearningRate };
        var seed = new Option<long>("--seed") { Description = "seed of problems, weights and batches", DefaultValueFactory = _ => 1 };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "folder of cached fine-tuned policies (reused when the settings match); none by default" };
        var command = new Command("finetune", "Fine-tune a fresh policy on reference solutions and report greedy held-out accuracy.")
        {
            task, difficulty, preset, train, test, steps, batch, rate, seed, cache,
        };
        command.SetAction(result =>
        {
            IReasoningTask reasoningTask = TaskRegistry.CreateDefault().Get(result.GetValue(task)!);
            long s = result.GetValue(seed);
            ProblemSplit split = ProblemSplit.Create(reasoningTask, result.GetValue(difficulty), result.GetValue(train), result.GetValue(test), s);
            var tokenizer = CharTokenizer.ForAlphabets([reasoningTask.Alphabet]);
            TransformerConfig config = TransformerConfig.Preset(result.GetValue(preset)!, tokenizer.VocabularySize);
            Console.WriteLine($"{result.GetValue(preset)} policy: {config.ParameterCount:N0} parameters ({config.Layers} layers, dimension {config.Dimension})");
            var options = new FineTuningOptions(Steps: result.GetValue(steps), BatchSize: result.GetValue(batch), LearningRate: result.GetValue(rate), Seed: s);
            var clock = Stopwatch.StartNew();
            Action<LossPoint> progress = point =>
            {
                if (point.Step % 100 == 0 || point.Step == options.Steps - 1)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {point.Step,5}  loss {point.Loss:F4}  lr {point.LearningRate:E2}  grad {point.GradientNorm:F3}  {clock.Elapsed.TotalSeconds:F1}s"));
                }
            };
            Transformer model;
            DirectoryInfo? folder = result.GetValue(cache);
            if (folder is null)
            {
                model = new Transformer(config, s);
                SupervisedFineTuning.Train(model, tokenizer, split.Train, options, NullUsageMeter.Instance, progress);
            }
            else
            {
                var key = new BasePolicyKey(reasoningTask.Name, config, options, s, tokenizer.Characters, BasePolicyKey.DigestOf(split.Train));
                var modelCache = new ModelCache(folder.FullName, "fine-tune");
                BasePolicy policy = new BasePolicyCache(modelCache, NullLogger.Instance).GetOrTrain(key, split.Train, NullUsageMeter.Instance, progress);
                modelCache.Commit(); // no run records here: the policy is complete once saved
                Console.WriteLine(policy.Reused ? $"reused the cached policy {policy.Path}" : $"cached the policy as {policy.Path}");
                model = policy.Model;
            }

            using var _ = model;
            double trainSeconds = clock.Elapsed.TotalSeconds;
            double accuracy = GreedyEvaluation.Accuracy(model, tokenizer, reasoningTask, split.Test, 100, NullUsageMeter.Instance);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"greedy accuracy on {split.Test.Count} held-out problems: {accuracy:P1} (training {trainSeconds:F1}s, total {clock.Elapsed.TotalSeconds:F1}s)"));
            return 0;
        });
        return command;
    }
}
