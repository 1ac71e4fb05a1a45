using System.Text;
using Reasoning.Core.Options;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// The deterministic rendering of a spec's effective values that identifies a run (<see cref="ExperimentSpec.Hash"/>):
/// one <c>key: value</c> per line, dotted key paths, fixed order, defaults included, <c>output</c> left out.
/// Comments, key order and YAML formatting do not change it; any effective value does.
/// </summary>
internal static class CanonicalText
{
    /// <summary>The vocabulary used to render a preset's sizes (the sizes do not depend on it).</summary>
    private const int PresetVocabulary = 64;

    /// <param name="spec">The spec (its own <see cref="ExperimentSpec.CanonicalText"/> is ignored).</param>
    /// <param name="fingerprints">SHA-256 prefix of each plug-in assembly, by absolute path.</param>
    public static string Render(ExperimentSpec spec, IReadOnlyDictionary<string, string> fingerprints)
    {
        var text = new StringBuilder();
        void Line(string key, object? value) => text.Append(key).Append(": ").Append(OptionsSchema.Format(value)).Append('\n');
        void Plugin(string prefix, PluginReference plugin)
        {
            Line($"{prefix}.type", plugin.TypeName);
            Line($"{prefix}.assembly", Path.GetFileName(plugin.AssemblyPath));
            Line($"{prefix}.assembly_sha256", fingerprints.TryGetValue(plugin.AssemblyPath, out string? hash) ? hash : "unknown");
        }

        Line("name", spec.Name);
        Line("seeds", spec.Seeds);
        Line("device", spec.Host.Device);
        Line("precision", spec.Host.Precision);
        Line("threads", spec.Host.Threads);
        Line("max_batch_size", spec.Host.MaxBatchSize);

        if (spec.Task.Plugin is { } taskPlugin)
        {
            Plugin("task", taskPlugin);
        }
        else if (spec.Task.Task is JsonlTask dataset)
        {
            // The data's content, not where it lies, is the run's identity: file names and their SHA-256.
            JsonlTaskSettings settings = dataset.Settings;
            Line("task.kind", JsonlTask.Kind);
            Line("task.path", Path.GetFileName(settings.Path));
            Line("task.path_sha256", dataset.Sha256);
            if (settings.TestPath is { } testPath)
            {
                Line("task.test_path", Path.GetFileName(testPath));
                Line("task.test_path_sha256", dataset.TestSha256);
            }

            Line("task.question", settings.QuestionField);
            Line("task.answer", settings.AnswerField);
            Line("task.answer_format", DatasetTaskSection.NameOf(settings.AnswerFormat));
            if (settings.SolutionField is { } solution)
            {
                Line("task.solution", solution);
            }

            if (settings.Steps is { } steps)
            {
                Line("task.steps", DatasetTaskSection.NameOf(steps));
            }
        }
        else
        {
            Line("task.kind", spec.Task.Task.Name);
        }

        // A swept key is written as its list (in place of its value); an unswept spec's text does not change.
        foreach ((string key, int value) in new[] { ("difficulty", spec.Task.Difficulty), ("train", spec.Task.Train), ("test", spec.Task.Test) })
        {
            if (spec.TaskSweep is { } sweep && sweep.Key == key)
            {
                Line($"task.sweep.{key}", sweep.Variants.Select(v => v.Value).ToList());
            }
            else
            {
                Line($"task.{key}", value);
            }
        }

        if (spec.Policy.Pretrained is { } pretrained)
        {
            // The folder's name and a hash of its contents, not its path: the same model elsewhere is the same run.
            Line("policy.checkpoint", Path.GetFileName(pretrained.Folder.TrimEnd(Path.DirectorySeparatorChar)));
            Line("policy.checkpoint_sha256", PretrainedPolicy.Identity(pretrained.Folder));
            Line("policy.prompt", pretrained.Prompt);
            if (pretrained.System is { } system)
            {
                Line("policy.system", system);
            }

            if (pretrained.ContextLength is { } context)
            {
                Line("policy.context_length", context);
            }
        }
        else
        {
            // The sizes are written out for presets too: if a preset's definition changes, so does the run's identity.
            if (spec.Policy.Preset is { } preset)
            {
                Line("policy.preset", preset);
            }

            TransformerConfig shape = spec.Policy.ConfigFor(PresetVocabulary);
            Line("policy.sizes.dimension", shape.Dimension);
            Line("policy.sizes.layers", shape.Layers);
            Line("policy.sizes.heads", shape.Heads);
            Line("policy.sizes.kv_heads", shape.KvHeads);
            Line("policy.sizes.hidden_dimension", shape.HiddenDimension);
            Line("policy.sizes.max_sequence_length", shape.MaxSequenceLength);
        }

        if (spec.Policy.Pretrained is not { FineTune: false })
        {
            var fineTuning = spec.Policy.FineTuning;
            Line("policy.fine_tuning.steps", fineTuning.Steps);
            Line("policy.fine_tuning.batch_size", fineTuning.BatchSize);
            Line("policy.fine_tuning.learning_rate", fineTuning.LearningRate);
            Line("policy.fine_tuning.warmup_steps", fineTuning.WarmupSteps);
            Line("policy.fine_tuning.weight_decay", fineTuning.WeightDecay);
            Line("policy.fine_tuning.gradient_clip", fineTuning.GradientClip);
        }

        if (spec.Budget is { } budget)
        {
            Line("budget.flops", budget.Flops);
            Line("budget.calibration_questions", budget.CalibrationQuestions);
        }

        for (int i = 0; i < spec.Strategies.Count; i++)
        {
            StrategySpec strategy = spec.Strategies[i];
            string prefix = KeyPath.Item("strategies", i);
            Line($"{prefix}.label", strategy.Label);
            if (strategy.Plugin is { } plugin)
            {
                Plugin(prefix, plugin);
            }
            else
            {
                Line($"{prefix}.strategy", strategy.Strategy);
            }

            foreach (OptionInfo option in OptionsSchema.Describe(strategy.Descriptor.OptionsType).Where(o => o.Key != strategy.Budget?.Option))
            {
                object? value = option.Property.GetValue(strategy.Options);
                if (Attribute.IsDefined(option.Property, typeof(OmitWhenDefaultAttribute)) && Equals(value, option.Default))
                {
                    continue;
                }

                Line($"{prefix}.options.{option.Key}", value);
            }

            if (strategy.Budget is { } knob)
            {
                Line($"{prefix}.budget.option", knob.Option);
                Line($"{prefix}.budget.max", knob.Max);
                Line($"{prefix}.budget.pilot", new[] { knob.PilotLow, knob.PilotHigh });
            }
        }

        return text.ToString();
    }
}
