using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Experiments.Plugins;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// Reads <c>task:</c>: a registered task (<c>kind</c>) or a plug-in, its difficulty and problem counts, and an optional
/// <c>sweep:</c> of one of those three keys (<c>sweep: {difficulty: [2, 3, 4]}</c>): the experiment then runs once per
/// value, each with its own base policies. <c>kind: jsonl</c> is a dataset (<see cref="DatasetTaskSection"/>): its file
/// and field keys are allowed then, and <c>difficulty</c> is not needed (a dataset has none).
/// </summary>
internal static class TaskSection
{
    public const string Key = "task";
    private const string KindKey = "kind";
    private const string DifficultyKey = "difficulty";
    private const string TrainKey = "train";
    private const string TestKey = "test";
    private const string SweepKey = "sweep";
    private static readonly string[] SweepableKeys = [DifficultyKey, TrainKey, TestKey];
    private static readonly string[] Keys = [KindKey, PluginSource.TypeKey, PluginSource.AssemblyKey, DifficultyKey, TrainKey, TestKey, SweepKey];
    private static readonly string[] DatasetKeys = [KindKey, .. DatasetTaskSection.Keys, PluginSource.TypeKey, PluginSource.AssemblyKey, DifficultyKey, TrainKey, TestKey, SweepKey];

    /// <summary>At most this many values in a task sweep (each is a whole experiment).</summary>
    public const int MaxSweepValues = 32;

    /// <summary>The task, and its sweep when one is written (<paramref name="Task"/> is then the first value's).</summary>
    public static (TaskSpec Task, TaskSweep? Sweep)? Read(MappingReader top, SpecReading reading)
    {
        if (!top.TryReadMapping(Key, required: true, out var node, string.Join(", ", Keys)))
        {
            return null;
        }

        bool dataset = DatasetTaskSection.IsDataset(node);
        var reader = new MappingReader(node, top.PathOf(Key), dataset ? DatasetKeys : Keys, reading.Errors);
        int before = reading.Errors.Count;
        IReadOnlyList<string> known = reading.Catalog.Tasks.All.Select(t => t.Name).ToList();
        IReasoningTask? task = null;
        PluginReference? plugin = null;
        switch (PluginSource.Choose(reader, KindKey, $"a registered task: {string.Join(", ", known)}"))
        {
            case SourceKind.Registered when reader.TryRead(KindKey, required: true, out string kind):
                if (dataset)
                {
                    task = DatasetTaskSection.Read(reader, reading);
                }
                else if (!reading.Catalog.Tasks.TryGet(kind, out task))
                {
                    reading.Errors.Add(reader.Value(KindKey)!, reader.PathOf(KindKey), UnknownKind(kind, known));
                }

                break;
            case SourceKind.Plugin when PluginSource.TryRead(reader, reading.BaseFolder, out plugin):
                task = PluginSource.Load(reader, reading, plugin, "task", loader => loader.LoadTask(plugin.AssemblyPath, plugin.TypeName));
                if (task is not null && (known.Contains(task.Name, StringComparer.Ordinal) || task.Name == JsonlTask.Kind))
                {
                    reading.Errors.Add(reader.Value(PluginSource.TypeKey)!, reader.PathOf(PluginSource.TypeKey),
                        $"the plug-in task '{plugin.TypeName}' is named '{task.Name}', which is a built-in task's name; give it a name of its own (its Name property)");
                    task = null;
                }

                break;
        }

        (string Key, IReadOnlyList<int> Values)? sweep = reader.Has(SweepKey) ? ReadSweep(reader, task) : null;
        // A key named in the sweep is not also required in the task, even when the sweep itself is wrong.
        var swept = (reader.Value(SweepKey) as YamlMappingNode)?.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).OfType<string>().ToHashSet() ?? [];
        int difficulty = swept.Contains(DifficultyKey) || (dataset && !reader.Has(DifficultyKey)) ? 0 : ReadValue(reader, DifficultyKey, task);
        int train = swept.Contains(TrainKey) ? 0 : ReadValue(reader, TrainKey, task);
        int test = swept.Contains(TestKey) ? 0 : ReadValue(reader, TestKey, task);
        if (reading.Errors.Count != before || task is null || (reader.Has(SweepKey) && sweep is null))
        {
            return null;
        }

        var first = new TaskSpec(task, plugin, difficulty, train, test);
        IEnumerable<(int Train, int Test)> sizes = sweep switch
        {
            { Key: TrainKey } t => t.Values.Select(v => (v, test)),
            { Key: TestKey } t => t.Values.Select(v => (train, v)),
            _ => [(train, test)],
        };
        if (task is JsonlTask jsonl && !HasEnoughProblems(reader, jsonl, sizes))
        {
            return null;
        }

        if (sweep is not { } s)
        {
            return (first, null);
        }

        // In increasing value, so the order the values are written in changes neither the run nor its identity.
        var variants = s.Values.Order().Select(v => new TaskVariant($"{s.Key}-{v}", v, s.Key switch
        {
            DifficultyKey => first with { Difficulty = v },
            TrainKey => first with { Train = v },
            _ => first with { Test = v },
        })).ToList();
        return (variants[0].Task, new TaskSweep(s.Key, variants));
    }

    /// <summary>A required difficulty (within the task's range) or problem count (at least 1); 0 when missing or wrong.</summary>
    private static int ReadValue(MappingReader reader, string key, IReasoningTask? task)
    {
        if (!reader.TryRead(key, required: true, out int value))
        {
            return 0;
        }

        if (Problem(key, value, task) is { } problem)
        {
            reader.Errors.Add(reader.Value(key)!, reader.PathOf(key), problem);
        }

        return value;
    }

    /// <summary>
    /// Whether the dataset holds enough problems for every (train, test) size asked for; else an error at the key that
    /// asks too much (or, when that key is swept, at its list).
    /// </summary>
    private static bool HasEnoughProblems(MappingReader reader, JsonlTask task, IEnumerable<(int Train, int Test)> sizes)
    {
        foreach ((int train, int test) in sizes)
        {
            if (task.SizeProblem(train, test) is { } problem)
            {
                string key = problem.Test ? TestKey : TrainKey;
                bool swept = !reader.Has(key);
                YamlNode at = swept ? ((YamlMappingNode)reader.Value(SweepKey)!).Children[new YamlScalarNode(key)] : reader.Value(key)!;
                reader.Errors.Add(at, swept ? KeyPath.Child(reader.PathOf(SweepKey), key) : reader.PathOf(key), problem.Message);
                return false;
            }
        }

        return true;
    }

    /// <summary>The unknown-kind error; it suggests <c>jsonl</c> when that is the near word, and otherwise reads as before datasets existed.</summary>
    private static string UnknownKind(string kind, IReadOnlyList<string> known) =>
        Nearest.Match(kind, known) is null && Nearest.Match(kind, [JsonlTask.Kind]) is not null
            ? $"unknown task '{kind}'; did you mean '{JsonlTask.Kind}' (a JSONL dataset)? known tasks: {string.Join(", ", known)}, {JsonlTask.Kind}"
            : Nearest.Unknown("task", kind, known, "known tasks");

    /// <summary>What is wrong with <paramref name="value"/> for <paramref name="key"/>; null when it is allowed.</summary>
    private static string? Problem(string key, int value, IReasoningTask? task) => key switch
    {
        DifficultyKey when task is IProblemSource && value != 0 =>
            $"a dataset has no difficulty: leave '{DifficultyKey}' out (or write 0), not {value}",
        DifficultyKey when task is not null && (value < task.MinDifficulty || value > task.MaxDifficulty) =>
            $"must be between {task.MinDifficulty} and {task.MaxDifficulty} for task '{task.Name}' (the number of steps), not {value}",
        TrainKey or TestKey when value < 1 => $"must be at least 1, not {value}",
        _ => null,
    };

    /// <summary>
    /// <c>sweep:</c>, a mapping of one of <see cref="SweepableKeys"/> to a non-empty list of distinct values, each
    /// checked as the key itself would be (and reported where it is written); null when anything is wrong.
    /// </summary>
    private static (string Key, IReadOnlyList<int> Values)? ReadSweep(MappingReader reader, IReasoningTask? task)
    {
        string path = reader.PathOf(SweepKey);
        YamlNode node = reader.Value(SweepKey)!;
        if (node is not YamlMappingNode mapping || mapping.Children.Count == 0)
        {
            reader.Errors.Add(node, path, $"expected a mapping of one task key ({string.Join(", ", SweepableKeys)}) to a list of values, e.g. difficulty: [2, 3, 4], got {YamlValues.Describe(node)}");
            return null;
        }

        int before = reader.Errors.Count;
        var sweep = new MappingReader(mapping, path, SweepableKeys, reader.Errors);
        if (reader.Errors.Count != before)
        {
            return null;
        }

        if (mapping.Children.Count > 1)
        {
            reader.Errors.Add(mapping, path, $"sweeps {mapping.Children.Count} keys; a task sweep takes one key at a time ({string.Join(", ", SweepableKeys)})");
            return null;
        }

        string key = ((YamlScalarNode)mapping.Children.Keys.Single()).Value!;
        string keyPath = sweep.PathOf(key);
        if (reader.Has(key))
        {
            reader.Errors.Add(sweep.KeyNode(key)!, keyPath, $"'{key}' is both set in task and swept; keep it in one place");
            return null;
        }

        if (sweep.Value(key) is not YamlSequenceNode { Children.Count: > 0 } list)
        {
            reader.Errors.Add(sweep.Value(key)!, keyPath, $"expected a non-empty list of values to sweep, got {YamlValues.Describe(sweep.Value(key)!)}");
            return null;
        }

        if (list.Children.Count > MaxSweepValues)
        {
            reader.Errors.Add(list, keyPath, $"lists {list.Children.Count} values; at most {MaxSweepValues} (each is a whole experiment)");
            return null;
        }

        var values = new List<int>();
        var first = new Dictionary<int, Mark>();
        for (int i = 0; i < list.Children.Count; i++)
        {
            YamlNode item = list.Children[i];
            string itemPath = KeyPath.Item(keyPath, i);
            if (!YamlValues.TryConvert(item, typeof(int), allowNull: false, itemPath, reader.Errors, out object? converted) || converted is not int value)
            {
                continue;
            }

            if (Problem(key, value, task) is { } problem)
            {
                reader.Errors.Add(item, itemPath, problem);
            }
            else if (!first.TryAdd(value, item.Start))
            {
                reader.Errors.Add(item, itemPath, $"{value} is listed twice (first at line {first[value].Line}, column {first[value].Column}); each value is an experiment of its own");
            }
            else
            {
                values.Add(value);
            }
        }

        return reader.Errors.Count == before ? (key, values) : null;
    }
}
