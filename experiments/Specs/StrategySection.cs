using System.Reflection;
using System.Text.RegularExpressions;
using Reasoning.Core.Strategies;
using Reasoning.Experiments.Plugins;
using Reasoning.Experiments.Records;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>Reads <c>strategies:</c>: each item's label, its strategy (registered or plug-in) and bound options.</summary>
internal static partial class StrategySection
{
    public const string Key = "strategies";
    private const string LabelKey = "label";
    private const string StrategyKey = "strategy";
    private const string OptionsKey = "options";
    private static readonly string[] Keys = [LabelKey, StrategyKey, PluginSource.TypeKey, PluginSource.AssemblyKey, OptionsKey];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex LabelPattern();

    public static IReadOnlyList<StrategySpec>? Read(MappingReader top, SpecReading reading)
    {
        if (top.Value(Key) is not { } value)
        {
            top.Missing(Key);
            return null;
        }

        if (value is not YamlSequenceNode sequence)
        {
            reading.Errors.Add(value, top.PathOf(Key), $"expected a list of strategies (mappings with keys {string.Join(", ", Keys)}), got {YamlValues.Describe(value)}");
            return null;
        }

        if (sequence.Children.Count == 0)
        {
            reading.Errors.Add(value, top.PathOf(Key), "must list at least one strategy");
            return null;
        }

        var strategies = new List<StrategySpec>();
        // Labels name result folders, so two that differ only in case would collide on some file systems.
        var labels = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            if (ReadItem(sequence.Children[i], KeyPath.Item(top.PathOf(Key), i), reading, labels) is { } strategy)
            {
                strategies.Add(strategy);
            }
        }

        return strategies.Count == sequence.Children.Count ? strategies : null;
    }

    private static StrategySpec? ReadItem(YamlNode item, string path, SpecReading reading, Dictionary<string, YamlNode> labels)
    {
        if (item is not YamlMappingNode node)
        {
            reading.Errors.Add(item, path, $"expected a mapping with keys {string.Join(", ", Keys)}, got {YamlValues.Describe(item)}");
            return null;
        }

        var reader = new MappingReader(node, path, Keys, reading.Errors);
        int before = reading.Errors.Count;
        IReadOnlyList<string> known = reading.Catalog.Strategies.Select(d => d.Name).ToList();
        StrategyDescriptor? descriptor = null;
        PluginReference? plugin = null;
        string? strategyName = null;
        string? defaultLabel = null;
        switch (PluginSource.Choose(reader, StrategyKey, $"a registered strategy: {string.Join(", ", known)}"))
        {
            case SourceKind.Registered when reader.TryRead(StrategyKey, required: true, out string name):
                descriptor = reading.Catalog.Strategies.FirstOrDefault(d => d.Name == name);
                if (descriptor is null)
                {
                    reading.Errors.Add(reader.Value(StrategyKey)!, reader.PathOf(StrategyKey), Nearest.Unknown("strategy", name, known, "known strategies"));
                }

                strategyName = defaultLabel = name;
                break;
            case SourceKind.Plugin when PluginSource.TryRead(reader, reading.BaseFolder, out plugin):
                descriptor = PluginSource.Load(reader, reading, plugin, "strategy", loader => loader.LoadStrategy(plugin.AssemblyPath, plugin.TypeName));
                strategyName = plugin.TypeName;
                defaultLabel = plugin.TypeName.Split('.', '+')[^1];
                break;
        }

        string? label = ReadLabel(reader, defaultLabel, labels);
        object? options = null;
        if (descriptor is not null)
        {
            options = OptionsBinder.Bind(descriptor.OptionsType, reader.Value(OptionsKey), reader.PathOf(OptionsKey), node.Start, reading.Errors);
        }

        if (reading.Errors.Count != before || descriptor is null || options is null || label is null || strategyName is null)
        {
            return null;
        }

        if (ConstructionProblem(descriptor, options) is { } problem)
        {
            reading.Errors.Add(node, path, $"constructing strategy {strategyName} threw: {problem}");
            return null;
        }

        return new StrategySpec(label, strategyName, plugin, descriptor, options, reading.Errors.LocationOf(node));
    }

    /// <summary>The label (given or default), checked for form, the reserved name and uniqueness; null when wrong.</summary>
    private static string? ReadLabel(MappingReader reader, string? defaultLabel, Dictionary<string, YamlNode> labels)
    {
        string label;
        if (reader.Has(LabelKey))
        {
            if (!reader.TryRead(LabelKey, required: false, out label))
            {
                return null;
            }
        }
        else if (defaultLabel is not null)
        {
            label = defaultLabel;
        }
        else
        {
            return null;
        }

        YamlNode at = reader.Value(LabelKey) ?? reader.Node;
        string path = reader.PathOf(LabelKey);
        if (!LabelPattern().IsMatch(label))
        {
            reader.Errors.Add(at, path, $"'{label}' is not a valid label: use letters, digits, '.', '_' and '-', starting with a letter or digit");
            return null;
        }

        if (string.Equals(label, RunRecord.BasePolicyLabel, StringComparison.OrdinalIgnoreCase))
        {
            reader.Errors.Add(at, path, $"'{label}' is reserved for the base policy's rows; choose another label");
            return null;
        }

        if (labels.TryGetValue(label, out YamlNode? first))
        {
            reader.Errors.Add(at, path, $"duplicate label '{label}' (first used at line {first.Start.Line}); labels must be unique (set 'label' to tell them apart)");
            return null;
        }

        labels[label] = at;
        return label;
    }

    /// <summary>
    /// Makes the strategy once, so a constructor that rejects its options fails now, naming the item, rather than
    /// when the first unit of work starts. Null when it was made.
    /// </summary>
    private static string? ConstructionProblem(StrategyDescriptor descriptor, object options)
    {
        try
        {
            IStrategy strategy = descriptor.Create(options);
            (strategy as IDisposable)?.Dispose();
            return null;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return e.InnerException.Message;
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }
}
