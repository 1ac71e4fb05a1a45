using Reasoning.Core.Storage;
using Reasoning.Experiments.Records;

namespace Reasoning.Experiments.Reports;

/// <summary>Writes a run's reports into its folder, from its records alone.</summary>
internal static class RunReport
{
    public const string MarkdownFile = "table.md";
    public const string CsvFile = "table.csv";
    public const string JsonFile = "summary.json";
    public const string PlotsFolder = "plots";

    /// <summary>Writes <c>table.md</c>, <c>table.csv</c>, <c>summary.json</c> and <c>plots/*.png|svg</c>; returns the summary.</summary>
    public static RunSummary WriteAll(IReadOnlyList<RunRecord> records, string runFolder)
    {
        RunSummary summary = Summarizer.Summarize(records);
        AtomicFile.WriteAllText(Path.Combine(runFolder, MarkdownFile), ComparisonTable.Markdown(summary));
        AtomicFile.WriteAllText(Path.Combine(runFolder, CsvFile), ComparisonTable.Csv(summary));
        AtomicFile.WriteAllText(Path.Combine(runFolder, JsonFile), SummaryJson.Write(summary));
        Plots.WriteAll(summary, Path.Combine(runFolder, PlotsFolder));
        return summary;
    }
}
