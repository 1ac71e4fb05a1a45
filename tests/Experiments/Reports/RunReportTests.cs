using Reasoning.Experiments.Reports;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class RunReportTests
{
    [Fact]
    public void WritesTablesSummaryAndPlotsIdenticallyTwice()
    {
        using var folder = new TempFolder();
        RunSummary summary = RunReport.WriteAll(SampleRecords.SmallRun(), folder.Path);

        Assert.Equal(ComparisonTable.Markdown(summary), File.ReadAllText(folder.File("table.md")));
        Assert.Equal(ComparisonTable.Csv(summary), File.ReadAllText(folder.File("table.csv")));
        Assert.Equal(SummaryJson.Write(summary), File.ReadAllText(folder.File("summary.json")));
        PlotsTests.AssertIsImage(folder.File("plots/accuracy-vs-tokens.png"));
        PlotsTests.AssertIsImage(folder.File("plots/training-curves.svg"));

        string[] texts = ["table.md", "table.csv", "summary.json"];
        var first = texts.Select(name => File.ReadAllBytes(folder.File(name))).ToList();
        RunReport.WriteAll(SampleRecords.SmallRun(), folder.Path);
        Assert.Equal(first, texts.Select(name => File.ReadAllBytes(folder.File(name))));
    }
}
