using Reasoning.Core.Tasks;
using Reasoning.Experiments.Plugins;

namespace Reasoning.Experiments.Specs;

/// <summary>Reads <c>task:</c>: a registered task (<c>kind</c>) or a plug-in, its difficulty and problem counts.</summary>
internal static class TaskSection
{
    public const string Key = "task";
    private const string KindKey = "kind";
    private const string DifficultyKey = "difficulty";
    private static readonly string[] Keys = [KindKey, PluginSource.TypeKey, PluginSource.AssemblyKey, DifficultyKey, "train", "test"];

    public static TaskSpec? Read(MappingReader top, SpecReading reading)
    {
        if (!top.TryReadMapping(Key, required: true, out var node, string.Join(", ", Keys)))
        {
            return null;
        }

        var reader = new MappingReader(node, top.PathOf(Key), Keys, reading.Errors);
        int before = reading.Errors.Count;
        IReadOnlyList<string> known = reading.Catalog.Tasks.All.Select(t => t.Name).ToList();
        IReasoningTask? task = null;
        PluginReference? plugin = null;
        switch (PluginSource.Choose(reader, KindKey, $"a registered task: {string.Join(", ", known)}"))
        {
            case SourceKind.Registered when reader.TryRead(KindKey, required: true, out string kind):
                if (!reading.Catalog.Tasks.TryGet(kind, out task))
                {
                    reading.Errors.Add(reader.Value(KindKey)!, reader.PathOf(KindKey), Nearest.Unknown("task", kind, known, "known tasks"));
                }

                break;
            case SourceKind.Plugin when PluginSource.TryRead(reader, reading.BaseFolder, out plugin):
                task = PluginSource.Load(reader, reading, plugin, "task", loader => loader.LoadTask(plugin.AssemblyPath, plugin.TypeName));
                break;
        }

        if (reader.TryRead(DifficultyKey, required: true, out int difficulty) && task is not null
            && (difficulty < task.MinDifficulty || difficulty > task.MaxDifficulty))
        {
            reading.Errors.Add(reader.Value(DifficultyKey)!, reader.PathOf(DifficultyKey),
                $"must be between {task.MinDifficulty} and {task.MaxDifficulty} for task '{task.Name}' (the number of steps), not {difficulty}");
        }

        int train = ReadCount(reader, "train");
        int test = ReadCount(reader, "test");
        return reading.Errors.Count == before && task is not null ? new TaskSpec(task, plugin, difficulty, train, test) : null;
    }

    /// <summary>A required problem count, at least 1.</summary>
    private static int ReadCount(MappingReader reader, string key)
    {
        if (!reader.TryRead(key, required: true, out int count))
        {
            return 0;
        }

        if (count < 1)
        {
            reader.Errors.Add(reader.Value(key)!, reader.PathOf(key), $"must be at least 1, not {count}");
        }

        return count;
    }
}
