using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Reasoning.Core.Storage;
using Reasoning.Experiments.Records;

namespace Reasoning.Experiments.Reports;

/// <summary>One value of a task sweep and the summary of its run.</summary>
/// <param name="Key">The swept task key (<c>difficulty</c>, <c>train</c> or <c>test</c>).</param>
/// <param name="Value">Its value in this run.</param>
/// <param name="Label">The run's folder name, <c>key-value</c>.</param>
internal sealed record SweepVariantSummary(string Key, int Value, string Label, RunSummary Summary);

/// <summary>
/// The reports of a task sweep (<c>task.sweep</c>), written into the sweep's folder above the runs of its values:
/// one table of every strategy at every value (Markdown and CSV) and plots of accuracy, inference tokens and peak
/// memory against the swept key. Built from the runs' records alone, like every other report.
/// </summary>
internal static partial class SweepReport
{
    [GeneratedRegex("^(?<key>[a-z_]+)-(?<value>[0-9]+)$")]
    private static partial Regex VariantFolderPattern();

    /// <summary>
    /// The runs of the sweep at <paramref name="folder"/>: its subfolders named <c>key-value</c> that hold a record log,
    /// in increasing value.
    /// </summary>
    /// <exception cref="InvalidDataException">The subfolders name more than one key.</exception>
    public static IReadOnlyList<(string Key, int Value, string Label, string Folder)> VariantFolders(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var found = new List<(string Key, int Value, string Label, string Folder)>();
        foreach (string sub in Directory.EnumerateDirectories(folder))
        {
            string label = Path.GetFileName(sub);
            Match match = VariantFolderPattern().Match(label);
            if (match.Success && File.Exists(Path.Combine(sub, Runner.ExperimentRunner.RecordsFile))
                && int.TryParse(match.Groups["value"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
            {
                found.Add((match.Groups["key"].Value, value, label, sub));
            }
        }

        var keys = found.Select(f => f.Key).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (keys.Count > 1)
        {
            throw new InvalidDataException($"{folder}: runs of more than one swept key ({string.Join(", ", keys)}); a task sweep has one key");
        }

        return found.OrderBy(f => f.Value).ToList();
    }

    /// <summary>Writes <c>table.md</c>, <c>table.csv</c> and the sweep's plots into <paramref name="folder"/>.</summary>
    public static void WriteAll(IReadOnlyList<SweepVariantSummary> variants, string folder)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, RunReport.MarkdownFile), Markdown(variants));
        AtomicFile.WriteAllText(Path.Combine(folder, RunReport.CsvFile), Csv(variants));
        Plots.WriteSweep(variants, Path.Combine(folder, RunReport.PlotsFolder));
    }

    public static string Markdown(IReadOnlyList<SweepVariantSummary> variants)
    {
        var text = new StringBuilder();
        if (variants.Count == 0)
        {
            return "No finished run of the sweep yet.\n";
        }

        string key = variants[0].Key;
        string reference = variants.SelectMany(v => v.Summary.Strategies).FirstOrDefault()?.Label ?? "the first strategy";
        text.Append($"Task sweep over {key}: {string.Join(", ", variants.Select(v => Formats.Exact(v.Value)))}. Each value is a run of its own, ")
            .Append($"in the folder named after it ({string.Join(", ", variants.Select(v => v.Label + "/"))}), with its full table, paired comparisons and plots.\n\n");
        ComparisonTable.AppendHeader(text, [key, "strategy"], [$"vs {ComparisonTable.EscapeCell(reference)} (points; p)"]);
        foreach (SweepVariantSummary variant in variants)
        {
            foreach (StrategySummary strategy in variant.Summary.Strategies)
            {
                ComparisonTable.AppendRow(text, [Formats.Exact(variant.Value), strategy.Label], strategy, [PairedCell(strategy)]);
            }
        }

        text.Append('\n');
        foreach (string line in ComparisonTable.Legend)
        {
            text.Append(line).Append('\n');
        }

        text.Append(ComparisonTable.AttemptsLine.Replace("<this folder>", "<this folder>/<value>", StringComparison.Ordinal)).Append('\n');

        text.Append($"- vs {ComparisonTable.EscapeCell(reference)}: accuracy minus the first strategy's on the same questions of the same run (paired by seed and question id), with McNemar's exact two-sided p; significant when p < {Formats.TwoDecimals(PairedComparison.Level)}.\n");
        text.Append('\n');
        foreach (SweepVariantSummary variant in variants)
        {
            text.Append($"- {variant.Label}: {ComparisonTable.BasePolicyLine(variant.Summary.BasePolicy)}\n");
        }

        var failures = variants.SelectMany(v => v.Summary.Failures.Select(f => f with { Label = $"{v.Label} {f.Label}" })).ToList();
        ComparisonTable.AppendFailures(text, failures);
        ComparisonTable.AppendMissing(text, variants.SelectMany(v => v.Summary.Missing.Select(m => m with { Label = $"{v.Label} {m.Label}" })).ToList());
        text.Append('\n');
        foreach (SweepVariantSummary variant in variants)
        {
            text.Append($"- {variant.Label}: {ComparisonTable.EnvironmentLine(variant.Summary.Environment)}\n");
        }

        return text.ToString();
    }

    /// <summary>Each run's CSV rows (<see cref="ComparisonTable.Csv"/>) under one header, with the swept key's value first.</summary>
    public static string Csv(IReadOnlyList<SweepVariantSummary> variants)
    {
        var text = new StringBuilder();
        bool header = false;
        foreach (SweepVariantSummary variant in variants)
        {
            string[] lines = ComparisonTable.Csv(variant.Summary).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (!header)
            {
                text.Append(variant.Key).Append(',').Append(lines[0]).Append('\n');
                header = true;
            }

            foreach (string line in lines.Skip(1))
            {
                text.Append(Formats.Exact(variant.Value)).Append(',').Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string PairedCell(StrategySummary strategy) => strategy.VersusReference is not { } c
        ? Formats.Missing
        : $"{Formats.SignedPoints(c.Gain)}; p = {Formats.PValue(c.PValue)}";
}
