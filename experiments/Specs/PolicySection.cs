using Reasoning.Policy.Training;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>Reads <c>policy:</c>: a preset or explicit sizes, and the fine-tuning recipe.</summary>
internal static class PolicySection
{
    public const string Key = "policy";
    public const string DefaultPreset = "tiny";
    private const string PresetKey = "preset";
    private const string SizesKey = "sizes";
    private const string FineTuningKey = "fine_tuning";
    private static readonly string[] Keys = [PresetKey, SizesKey, FineTuningKey];
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
}
