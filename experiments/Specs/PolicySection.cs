using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;
using Reasoning.Policy.Training;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// Reads <c>policy:</c>: a preset or explicit sizes (a built-in model trained from scratch), or a Hugging Face model
/// folder (<c>checkpoint</c>, with <c>prompt</c>, <c>system</c> and <c>context_length</c>); and the fine-tuning recipe.
/// A checkpoint is checked whole when the spec is read (config, every tensor's name, shape and dtype, the tokenizer,
/// the vocabulary they share), so <c>validate</c> finds a broken folder before a run starts.
/// </summary>
internal static class PolicySection
{
    public const string Key = "policy";
    public const string DefaultPreset = "tiny";
    private const string PresetKey = "preset";
    private const string SizesKey = "sizes";
    private const string FineTuningKey = "fine_tuning";
    private const string CheckpointKey = "checkpoint";
    private const string PromptKey = "prompt";
    private const string SystemKey = "system";
    private const string ContextLengthKey = "context_length";
    private static readonly string[] Keys = [PresetKey, SizesKey, CheckpointKey, PromptKey, SystemKey, ContextLengthKey, FineTuningKey];
    private static readonly string[] PretrainedKeys = [CheckpointKey, PromptKey, SystemKey, ContextLengthKey];
    private static readonly string[] Presets = ["tiny", "small"];

    public static PolicySpec? Read(MappingReader top, SpecReading reading)
    {
        if (top.Value(Key) is not { } value || YamlValues.IsNull(value))
        {
            return new PolicySpec(DefaultPreset, null, new FineTuningOptions());
        }

        if (!top.TryReadMapping(Key, required: false, out YamlMappingNode node, string.Join(", ", Keys)))
        {
            return null;
        }

        var reader = new MappingReader(node, top.PathOf(Key), Keys, reading.Errors);
        int before = reading.Errors.Count;
        if (reader.Has(CheckpointKey))
        {
            return ReadPretrained(reader, reading, before);
        }

        if (PretrainedKeys.FirstOrDefault(reader.Has) is { } stray)
        {
            reading.Errors.Add(reader.KeyNode(stray)!, reader.PathOf(stray), $"'{stray}' goes with '{CheckpointKey}' (a Hugging Face model folder)");
        }

        if (reader.TryRead(PresetKey, required: false, out string preset) && !Presets.Contains(preset))
        {
            reading.Errors.Add(reader.Value(PresetKey)!, reader.PathOf(PresetKey),
                $"'{preset}' is not one of {string.Join(", ", Presets)}{Nearest.Suggestion(preset, Presets)}");
        }

        ModelSizes? sizes = null;
        if (reader.Has(SizesKey))
        {
            if (reader.Has(PresetKey))
            {
                reading.Errors.Add(reader.KeyNode(SizesKey)!, reader.PathOf(SizesKey), $"give either '{PresetKey}' or '{SizesKey}', not both");
            }

            var bound = (ModelSizesOptions?)OptionsBinder.Bind(typeof(ModelSizesOptions), reader.Value(SizesKey), reader.PathOf(SizesKey), node.Start, reading.Errors);
            sizes = bound?.ToSizes();
        }

        var fineTuning = (FineTuningSpecOptions?)OptionsBinder.Bind(
            typeof(FineTuningSpecOptions), reader.Value(FineTuningKey), reader.PathOf(FineTuningKey), node.Start, reading.Errors);
        if (reading.Errors.Count != before || fineTuning is null)
        {
            return null;
        }

        return new PolicySpec(sizes is null ? (reader.Has(PresetKey) ? preset : DefaultPreset) : null, sizes, fineTuning.ToOptions());
    }

    /// <summary><c>checkpoint</c> and its companions; <c>preset</c> and <c>sizes</c> do not go with it (the folder has the shape).</summary>
    private static PolicySpec? ReadPretrained(MappingReader reader, SpecReading reading, int before)
    {
        foreach (string key in new[] { PresetKey, SizesKey }.Where(reader.Has))
        {
            reading.Errors.Add(reader.KeyNode(key)!, reader.PathOf(key), $"give either '{CheckpointKey}' (a model folder, which has its own shape) or '{key}', not both");
        }

        reader.TryRead(CheckpointKey, required: true, out string checkpoint);
        string promptName = reader.TryRead(PromptKey, required: false, out string prompt) ? prompt : "plain";
        string? system = reader.TryRead(SystemKey, required: false, out string s) ? s : null;
        int? contextLength = reader.TryRead(ContextLengthKey, required: false, out int length) ? length : null;
        if (contextLength is < 2)
        {
            reading.Errors.Add(reader.Value(ContextLengthKey)!, reader.PathOf(ContextLengthKey), $"must be at least 2, not {contextLength}");
        }

        PromptFormat? format = null;
        if (reader.Has(PromptKey) || system is not null)
        {
            try
            {
                format = PromptFormat.Parse(promptName, system);
            }
            catch (ArgumentException e)
            {
                reading.Errors.Add(reader.Value(PromptKey) ?? reader.Value(SystemKey)!, reader.PathOf(PromptKey), Message(e));
            }
        }

        // Optional for a checkpoint: without it, the pretrained model is the base policy as it is.
        FineTuningSpecOptions? fineTuning = reader.Has(FineTuningKey)
            ? (FineTuningSpecOptions?)OptionsBinder.Bind(typeof(FineTuningSpecOptions), reader.Value(FineTuningKey), reader.PathOf(FineTuningKey), reader.Node.Start, reading.Errors)
            : new FineTuningSpecOptions();
        if (reading.Errors.Count != before || fineTuning is null)
        {
            return null;
        }

        string folder = Path.GetFullPath(Path.Combine(reading.BaseFolder, checkpoint));
        try
        {
            PretrainedPolicy.Check(folder, contextLength);
        }
        catch (Exception e) when (e is ModelFolderException or HfTokenizerException or ArgumentException)
        {
            reading.Errors.Add(reader.Value(CheckpointKey)!, reader.PathOf(CheckpointKey), e.Message);
            return null;
        }

        var pretrained = new PretrainedSpec(folder, format?.Name ?? "plain", system, contextLength, FineTune: reader.Has(FineTuningKey));
        return new PolicySpec(null, null, fineTuning.ToOptions(), pretrained);
    }

    private static string Message(ArgumentException e) => e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
}
