using System.Text;

namespace Reasoning.Experiments.Reports;

/// <summary>Several runs in one table: one row per run and strategy, the columns of <see cref="ComparisonTable"/>.</summary>
internal static class CompareReport
{
    public static string Markdown(IReadOnlyList<(string RunName, RunSummary Summary)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var text = new StringBuilder();
        ComparisonTable.AppendHeader(text, ["run / strategy"]);
        foreach ((string runName, RunSummary summary) in runs)
        {
            foreach (StrategySummary strategy in summary.Strategies)
            {
                ComparisonTable.AppendRow(text, [$"{runName} / {strategy.Label}"], strategy);
            }
        }

        text.Append('\n');
        foreach (string line in ComparisonTable.Legend)
        {
            text.Append(line).Append('\n');
        }

        text.Append('\n');
        foreach ((string runName, RunSummary summary) in runs)
        {
            text.Append($"{runName}: {ComparisonTable.BasePolicyLine(summary.BasePolicy)} {ComparisonTable.EnvironmentLine(summary.Environment)}");
            if (summary.Failures.Count > 0)
            {
                text.Append($" {summary.Failures.Count} failed unit(s): see its table.md.");
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
