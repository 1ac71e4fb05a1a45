using System.Globalization;
using System.Text;

namespace Reasoning.Tests.Experiments.Runner;

/// <summary>
/// A whole experiment small enough for a test: a 1-layer model fine-tuned for a few steps on arithmetic,
/// a handful of test questions, two seeds. Each instance owns a temporary folder holding the spec and its results.
/// </summary>
internal sealed class MicroExperiment : IDisposable
{
    public MicroExperiment(string strategies = DefaultStrategies, string name = "micro", int test = 6, string seeds = "[1, 2]", int fineTuningSteps = 12, string difficulty = "difficulty: 1", string budget = "", string topLevel = "")
    {
        Folder = Directory.CreateTempSubdirectory("reasoning-run-").FullName;
        SpecPath = Path.Combine(Folder, "micro.yaml");
        File.WriteAllText(SpecPath, string.Create(CultureInfo.InvariantCulture, $$"""
            # A micro experiment for tests.
            name: {{name}}
            seeds: {{seeds}}
            device: cpu
            task:
              kind: arithmetic
              {{difficulty}}
              train: 64
              test: {{test}}
            policy:
              sizes: {dimension: 32, layers: 1, heads: 2, kv_heads: 2, hidden_dimension: 64, max_sequence_length: 64}
              fine_tuning: {steps: {{fineTuningSteps}}, batch_size: 8, warmup_steps: 2}
            {{budget}}
            {{topLevel}}
            strategies:
            {{strategies}}
            output: {{Path.Combine(Folder, "results")}}
            """));
    }

    public const string DefaultStrategies = """
          - strategy: greedy
            options: {max_new_tokens: 24}
          - label: sc
            strategy: self-consistency
            options: {samples: 3, max_new_tokens: 24}
        """;

    public string Folder { get; }

    public string SpecPath { get; }

    /// <summary>The single run folder under the results folder (there is one per spec hash).</summary>
    public string RunFolder => Directory.GetDirectories(Path.Combine(Folder, "results")).Single(d => Path.GetFileName(d) != "cache");

    public string RecordsPath => Path.Combine(RunFolder, "records.msgpack");

    /// <summary>The table's rows without the columns that measure time or memory, which differ from run to run.</summary>
    public static string DeterministicRows(string markdownTable)
    {
        var rows = markdownTable.Split('\n').Where(l => l.StartsWith('|')).ToList();
        string[] header = rows[0].Split('|');
        var keep = Enumerable.Range(0, header.Length)
            .Where(i => !header[i].Contains("time", StringComparison.OrdinalIgnoreCase) && !header[i].Contains("RSS", StringComparison.Ordinal) && !header[i].Contains("memory", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var text = new StringBuilder();
        foreach (string row in rows)
        {
            string[] cells = row.Split('|');
            text.AppendLine(string.Join('|', keep.Where(i => i < cells.Length).Select(i => cells[i])));
        }

        return text.ToString();
    }

    /// <summary>
    /// Everything a table says but time and memory: <see cref="DeterministicRows"/>, then every other line but the
    /// environment's (invocations and start time differ), with the base policy line's time and resident memory cut.
    /// </summary>
    public static string DeterministicTable(string markdownTable)
    {
        var text = new StringBuilder(DeterministicRows(markdownTable));
        foreach (string line in markdownTable.Split('\n').Where(l => !l.StartsWith('|') && !l.StartsWith("Environment:", StringComparison.Ordinal)))
        {
            text.AppendLine(System.Text.RegularExpressions.Regex.Replace(line, @", [0-9.,]+ s \(means per seed\), peak RSS [0-9.,]+ MiB", ", (time and memory)"));
        }

        return text.ToString();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
