using System.Reflection;
using System.Text.RegularExpressions;
using Reasoning.Core.Options;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Plugins;
using Reasoning.Experiments.Records;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// Reads <c>strategies:</c>: each item's label, its strategy (registered or plug-in) and bound options. An item with
/// <c>sweep:</c> (option keys, each with a list of values) stands for one strategy per combination of the values, in
/// order, labelled <c>label.key-value</c> (one <c>.key-value</c> per swept key): a sweep is a list of values for a
/// key, not copies of the item.
/// </summary>
internal static partial class StrategySection
{
    public const string Key = "strategies";
    private const string LabelKey = "label";
    private const string StrategyKey = "strategy";
    private const string OptionsKey = "options";
    private const string SweepKey = "sweep";
    private static readonly string[] Keys = [LabelKey, StrategyKey, PluginSource.TypeKey, PluginSource.AssemblyKey, OptionsKey, SweepKey, BudgetSection.Key];

    /// <summary>The most strategies one item's sweep may stand for.</summary>
    public const int MaxSweepCombinations = 256;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex LabelPattern();

    /// <param name="budgeted">Whether the spec has a top-level <c>budget:</c> (items may then size an option to it).</param>
    /// <param name="task">The spec's task, when it was read: options that need a step checker are refused for a task without one.</param>
    public static IReadOnlyList<StrategySpec>? Read(MappingReader top, SpecReading reading, bool budgeted = false, IReasoningTask? task = null)
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
        bool complete = true;
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            if (ReadItem(sequence.Children[i], KeyPath.Item(top.PathOf(Key), i), reading, labels, budgeted, task) is { } items)
            {
                strategies.AddRange(items);
            }
            else
            {
                complete = false;
            }
        }

        return complete ? strategies : null;
    }

    private static IReadOnlyList<StrategySpec>? ReadItem(
        YamlNode item, string path, SpecReading reading, Dictionary<string, YamlNode> labels, bool budgeted, IReasoningTask? task)
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
                if (descriptor is not null && known.Contains(descriptor.Name, StringComparer.Ordinal))
                {
                    reading.Errors.Add(reader.Value(PluginSource.TypeKey)!, reader.PathOf(PluginSource.TypeKey),
                        $"the plug-in strategy '{plugin.TypeName}' is named '{descriptor.Name}', which is a built-in strategy's name; give it a name of its own");
                    descriptor = null;
                }

                strategyName = plugin.TypeName;
                defaultLabel = plugin.TypeName.Split('.', '+')[^1];
                break;
        }

        if (descriptor is null || strategyName is null)
        {
            return null;
        }

        List<(string Suffix, YamlNode? Options)>? variants = reader.Has(SweepKey)
            ? Sweep(reader, descriptor, reading.Errors)
            : [("", reader.Value(OptionsKey))];
        BudgetKnob? knob = reader.Has(BudgetSection.Key)
            ? BudgetSection.ReadKnob(reader, descriptor, [.. KeysOf(reader.Value(OptionsKey)), .. KeysOf(reader.Value(SweepKey))], budgeted)
            : null;
        if (variants is null || reading.Errors.Count != before)
        {
            return null;
        }

        // Every variant is read, so one pass reports every swept value an option rejects.
        var result = new List<StrategySpec>();
        foreach ((string suffix, YamlNode? optionsNode) in variants)
        {
            int errorsBefore = reading.Errors.Count;
            string? label = ReadLabel(reader, defaultLabel, labels, suffix);
            int bindingErrors = reading.Errors.Count;
            object? options = OptionsBinder.Bind(descriptor.OptionsType, optionsNode, reader.PathOf(OptionsKey), node.Start, reading.Errors);
            if (reader.Value(SweepKey) is YamlMappingNode sweep && optionsNode is YamlMappingNode bound)
            {
                // A swept value is written in the sweep's list: name it there, not under options.
                reading.Errors.Rewrite(bindingErrors, e => SweptValuePath(e, reader, sweep, bound));
            }

            if (reading.Errors.Count != errorsBefore || options is null || label is null)
            {
                continue;
            }

            if (ConstructionProblem(descriptor, options) is { } problem)
            {
                reading.Errors.Add(node, path, $"constructing strategy {strategyName}{(suffix.Length > 0 ? $" ({label})" : "")} threw: {problem}");
                continue;
            }

            if (options is ISpecRelativePaths paths && paths.ResolvePaths(reading.BaseFolder) is { Count: > 0 } pathProblems)
            {
                foreach ((string key, string message) in pathProblems)
                {
                    YamlNode at = (reader.Value(OptionsKey) as YamlMappingNode)?.Children.FirstOrDefault(c => (c.Key as YamlScalarNode)?.Value == key).Value ?? reader.Value(OptionsKey) ?? node;
                    reading.Errors.Add(at, KeyPath.Child(reader.PathOf(OptionsKey), key), message);
                }

                continue;
            }

            if (task is { HasStepChecker: false } && options is IRequiresStepChecker { RequiresStepChecker: true })
            {
                reading.Errors.Add(reader.Value(OptionsKey) ?? node, reader.PathOf(OptionsKey),
                    $"strategy {strategyName}{(suffix.Length > 0 ? $" ({label})" : "")} needs the task's step checker with these options (exact step labels, the default), " +
                    $"but task '{task.Name}' has none (a dataset cannot judge one step of free text); label steps by Monte-Carlo rollouts (labels: monte_carlo)");
                continue;
            }

            result.Add(new StrategySpec(label, strategyName, plugin, descriptor, options, reading.Errors.LocationOf(node), knob));
        }

        return result.Count == variants.Count ? result : null;
    }

    /// <summary>An options error about a swept key, keyed by the value's place in the sweep (<c>sweep.samples[1]</c>); others as they are.</summary>
    private static SpecError SweptValuePath(SpecError error, MappingReader item, YamlMappingNode sweep, YamlMappingNode bound)
    {
        foreach ((YamlNode keyNode, YamlNode values) in sweep.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } key } && error.Key == KeyPath.Child(item.PathOf(OptionsKey), key)
                && values is YamlSequenceNode list && bound.Children.TryGetValue(keyNode, out YamlNode? value))
            {
                return error with { Key = KeyPath.Item(KeyPath.Child(item.PathOf(SweepKey), key), list.Children.IndexOf(value)) };
            }
        }

        return error;
    }

    /// <summary>The plain-text keys of a mapping; none for anything else.</summary>
    private static IEnumerable<string> KeysOf(YamlNode? node) =>
        node is YamlMappingNode mapping ? mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).OfType<string>() : [];

    /// <summary>
    /// The item's options once per combination of its <c>sweep:</c> values (the first key varying slowest), each as
    /// the <c>options:</c> mapping with the swept keys set to one value each and the label suffix that names it. The
    /// value nodes are the sweep list's own, so a value an option rejects is reported where it is written.
    /// </summary>
    private static List<(string Suffix, YamlNode? Options)>? Sweep(MappingReader reader, StrategyDescriptor descriptor, SpecErrors errors)
    {
        string sweepPath = reader.PathOf(SweepKey);
        YamlNode sweepNode = reader.Value(SweepKey)!;
        string[] optionKeys = Reasoning.Core.Options.OptionsSchema.Describe(descriptor.OptionsType).Select(o => o.Key).ToArray();
        if (sweepNode is not YamlMappingNode sweepMapping || sweepMapping.Children.Count == 0)
        {
            errors.Add(sweepNode, sweepPath, $"expected a mapping of option keys to lists of values (e.g. samples: [1, 4, 16]), got {YamlValues.Describe(sweepNode)}");
            return null;
        }

        _ = new MappingReader(sweepMapping, sweepPath, optionKeys, errors); // reports keys that are not options
        YamlNode? optionsNode = reader.Value(OptionsKey);
        YamlMappingNode? options = optionsNode as YamlMappingNode;
        if (optionsNode is not null && options is null && !YamlValues.IsNull(optionsNode))
        {
            errors.Add(optionsNode, reader.PathOf(OptionsKey), $"expected a mapping of options ({string.Join(", ", optionKeys)}), got {YamlValues.Describe(optionsNode)}");
            return null;
        }

        var axes = new List<(YamlScalarNode Key, IReadOnlyList<YamlNode> Values)>();
        foreach ((YamlNode keyNode, YamlNode valueNode) in sweepMapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalar || !optionKeys.Contains(key))
            {
                continue; // reported by the reader
            }

            string keyPath = KeyPath.Child(sweepPath, key);
            if (options?.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == key) == true)
            {
                errors.Add(keyNode, keyPath, $"'{key}' is both set in options and swept; keep it in one place");
            }
            else if (valueNode is not YamlSequenceNode { Children.Count: > 0 } list)
            {
                errors.Add(valueNode, keyPath, $"expected a non-empty list of values to sweep, got {YamlValues.Describe(valueNode)}");
            }
            else if (list.Children.Select(v => (v as YamlScalarNode)?.Value).Distinct().Count() != list.Children.Count)
            {
                errors.Add(valueNode, keyPath, "lists a value twice; each value gives a row of its own");
            }
            else
            {
                axes.Add((scalar, list.Children.ToList()));
            }
        }

        long combinations = axes.Aggregate(1L, (n, axis) => n * axis.Values.Count);
        if (combinations > MaxSweepCombinations)
        {
            errors.Add(sweepMapping, sweepPath, $"stands for {combinations} strategies; at most {MaxSweepCombinations} per item");
            return null;
        }

        if (axes.Count != sweepMapping.Children.Count)
        {
            return null;
        }

        var chosen = new List<List<(YamlScalarNode Key, YamlNode Value)>> { new() };
        foreach ((YamlScalarNode key, IReadOnlyList<YamlNode> values) in axes)
        {
            chosen = chosen.SelectMany(prefix => values.Select(v => new List<(YamlScalarNode, YamlNode)>(prefix) { (key, v) })).ToList();
        }

        return chosen.Select(picks =>
        {
            var mapping = new YamlMappingNode();
            foreach (var entry in options?.Children.AsEnumerable() ?? [])
            {
                mapping.Add(entry.Key, entry.Value);
            }

            foreach ((YamlScalarNode key, YamlNode value) in picks)
            {
                mapping.Add(key, value);
            }

            string suffix = string.Concat(picks.Select(p => $".{p.Key.Value}-{(p.Value as YamlScalarNode)?.Value ?? "?"}"));
            return (suffix, (YamlNode?)mapping);
        }).ToList();
    }

    /// <summary>The label (given or default, then <paramref name="suffix"/>), checked for form, the reserved name and uniqueness; null when wrong.</summary>
    private static string? ReadLabel(MappingReader reader, string? defaultLabel, Dictionary<string, YamlNode> labels, string suffix = "")
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

        label += suffix;
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
