using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Tasks.Jsonl;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// The dataset keys of <c>task: {kind: jsonl, ...}</c> (<c>docs/datasets.md</c>): the files, the fields and the answer
/// format. The files are read here, while the spec is read, so <c>validate</c> finds a broken line, a missing field or
/// too few problems, each reported at the key that names the file with the file's own line.
/// </summary>
internal static class DatasetTaskSection
{
    public const string PathKey = "path";
    public const string TestPathKey = "test_path";
    public const string QuestionKey = "question";
    public const string AnswerKey = "answer";
    public const string AnswerFormatKey = "answer_format";
    public const string SolutionKey = "solution";
    public const string StepsKey = "steps";

    /// <summary>The keys a dataset task adds to <c>task:</c>.</summary>
    public static readonly string[] Keys = [PathKey, TestPathKey, QuestionKey, AnswerKey, AnswerFormatKey, SolutionKey, StepsKey];

    private static readonly (string Name, StepUnit Value)[] StepUnits = [("lines", StepUnit.Lines), ("paragraphs", StepUnit.Paragraphs)];

    private static readonly (string Name, AnswerFormat Value)[] Formats =
        [("gsm8k", AnswerFormat.Gsm8k), ("boxed", AnswerFormat.Boxed), ("plain", AnswerFormat.Plain)];

    /// <summary>Whether the <c>task:</c> mapping names the dataset kind (so its dataset keys are allowed).</summary>
    public static bool IsDataset(YamlMappingNode task) =>
        task.Children.TryGetValue(new YamlScalarNode("kind"), out YamlNode? kind) && kind is YamlScalarNode { Value: JsonlTask.Kind };

    /// <summary>A step unit's name as written in specs: <c>lines</c>, <c>paragraphs</c>.</summary>
    public static string NameOf(StepUnit unit) => StepUnits.First(u => u.Value == unit).Name;

    /// <summary>The format's name as written in specs: <c>gsm8k</c>, <c>boxed</c>, <c>plain</c>.</summary>
    public static string NameOf(AnswerFormat format) => Formats.First(f => f.Value == format).Name;

    /// <summary>The dataset, read; null (errors recorded) when a key is wrong or a file cannot be used.</summary>
    public static JsonlTask? Read(MappingReader reader, SpecReading reading)
    {
        int before = reader.Errors.Count;
        string? path = ReadPath(reader, PathKey, required: true, reading.BaseFolder);
        string? testPath = reader.Has(TestPathKey) ? ReadPath(reader, TestPathKey, required: false, reading.BaseFolder) : null;
        string? question = ReadField(reader, QuestionKey, required: true);
        string? answer = ReadField(reader, AnswerKey, required: true);
        string? solution = reader.Has(SolutionKey) ? ReadField(reader, SolutionKey, required: false) : null;
        AnswerFormat? format = ReadChoice(reader, AnswerFormatKey, required: true, Formats);
        StepUnit? steps = ReadChoice(reader, StepsKey, required: false, StepUnits);

        if (reader.Errors.Count != before || path is null || question is null || answer is null || format is null)
        {
            return null;
        }

        try
        {
            return JsonlTask.Load(new JsonlTaskSettings(path, question, answer, format.Value, solution, testPath, steps));
        }
        catch (DatasetException e)
        {
            foreach (DatasetError error in e.Errors)
            {
                // Each problem is placed at the key that names its file, the file written as the spec writes it.
                string key = testPath is not null && error.File == testPath ? TestPathKey : PathKey;
                reader.Errors.Add(reader.Value(key)!, reader.PathOf(key), (error with { File = Written(reader, key) }).ToString());
            }

            return null;
        }
    }

    /// <summary>A file path, resolved against the spec's folder; null (with an error) when it is not a usable path.</summary>
    private static string? ReadPath(MappingReader reader, string key, bool required, string baseFolder)
    {
        if (!reader.TryRead(key, required, out string written))
        {
            return null;
        }

        if (written.Trim().Length == 0)
        {
            reader.Errors.Add(reader.Value(key)!, reader.PathOf(key), "expected the path of a JSONL file (relative to the spec's folder), got nothing");
            return null;
        }

        try
        {
            return Path.GetFullPath(Path.Combine(baseFolder, written));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            reader.Errors.Add(reader.Value(key)!, reader.PathOf(key), $"'{written}' is not a usable path: {e.Message}");
            return null;
        }
    }

    private static string Written(MappingReader reader, string key) => (reader.Value(key) as YamlScalarNode)?.Value ?? key;

    private static string? ReadField(MappingReader reader, string key, bool required)
    {
        if (!reader.TryRead(key, required, out string field))
        {
            return null;
        }

        if (field.Trim().Length == 0)
        {
            reader.Errors.Add(reader.Value(key)!, reader.PathOf(key), "expected the name of a JSON field, got nothing");
            return null;
        }

        return field;
    }

    /// <summary>One of <paramref name="choices"/> by its written name; null when absent or unknown (then with an error naming the allowed names).</summary>
    private static T? ReadChoice<T>(MappingReader reader, string key, bool required, (string Name, T Value)[] choices)
        where T : struct
    {
        if (!reader.TryRead(key, required, out string name))
        {
            return null;
        }

        foreach ((string known, T value) in choices)
        {
            if (known == name)
            {
                return value;
            }
        }

        string[] names = choices.Select(c => c.Name).ToArray();
        reader.Errors.Add(reader.Value(key)!, reader.PathOf(key), $"'{name}' is not one of {string.Join(", ", names)}{Nearest.Suggestion(name, names)}");
        return null;
    }
}
