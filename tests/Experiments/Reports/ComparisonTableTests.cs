using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class ComparisonTableTests
{
    public const string Header =
        "| strategy | seeds | accuracy (95% CI) | mean ± sd over seeds | train tokens (generated) | train FLOPs | train peak RSS (MiB) | train time (s) | inference tokens / question (generated) | inference FLOPs / question | inference peak RSS (MiB) | inference time / question (ms) |";

    [Fact]
    public void MarkdownRowsMatchTheHandWorkedSmallRun()
    {
        string markdown = ComparisonTable.Markdown(Summarizer.Summarize(SampleRecords.SmallRun()));
        string[] lines = markdown.Split('\n');

        Assert.Equal(Header, lines[0]);
        Assert.Equal("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|", lines[1]);
        Assert.Equal("| search | 2 | 85.0% [76.7, 90.7] | 85.0% ± 7.1 | 11,000 | 2.00e12 | 2048.0 | 40.0 | 1100.0 | 1.20e10 | 1536.0 | 110.0 |", lines[2]);
        Assert.Equal("| grpo | 1 | 72.0% [58.3, 82.5] | 72.0% ± — | 64,000 | 3.00e13 | 3072.0 | 600.0 | 500.0 | 5.00e9 | 1024.0 | 50.0 |", lines[3]);
        Assert.Equal("| broken | 0 | — | — | — | — | — | — | — | — | — | — |", lines[4]);
        Assert.Equal("", lines[5]);
        Assert.StartsWith("- accuracy: ", lines[6]);

        Assert.Contains(
            "\nBase policy (SFT, seeds 1): 0 tokens generated, 1,000,000 processed, 1,000,000 trained, 6.00e12 FLOPs, 120.0 s (means per seed), " +
            "peak RSS 512.0 MiB (estimate 300.0 MiB); reused from cache, cost as recorded when trained.\n",
            markdown);
        Assert.Contains("\nFailed units:\n- broken, seed 1 (train): InvalidOperationException: the plug-in threw\n", markdown);
        Assert.EndsWith(
            "\nEnvironment: experiment demo, spec hash 0123456789ab, first started 2026-01-01T00:00:00Z (1 invocation); " +
            ".NET 10.0.12, TorchSharp 0.107.0, LibTorch 2.10.0; Debian 12; CPU Test CPU (2 cores); device cpu, 2 threads; git commit abc1234.\n",
            markdown);
        Assert.DoesNotContain("\r", markdown);
    }

    [Fact]
    public void LegendDefinesGeneratedTokensAndFlops()
    {
        string markdown = ComparisonTable.Markdown(Summarizer.Summarize(SampleRecords.SmallRun()));
        Assert.Contains("sampled by any model, kept or discarded", markdown);
        Assert.Contains("2·P·processed tokens + 6·P·trained tokens + the attention term", markdown);
        Assert.Contains("Wilson", markdown);
    }

    [Fact]
    public void CsvHasAHeaderAndEveryNumberPerStrategy()
    {
        string csv = ComparisonTable.Csv(Summarizer.Summarize(SampleRecords.SmallRun()));
        string[] lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        string[] header = lines[0].Split(',');
        Assert.Equal("strategy", header[0]);
        foreach (string column in new[]
        {
            "wilson_low", "wilson_high", "seed_accuracies",
            "train_generated_tokens", "train_processed_tokens", "train_trained_tokens", "train_flops", "train_wall_seconds",
            "train_peak_resident_bytes", "train_estimated_peak_bytes",
            "inference_generated_tokens", "inference_processed_tokens", "inference_trained_tokens", "inference_flops",
            "inference_wall_seconds", "inference_peak_resident_bytes", "inference_estimated_peak_bytes",
            "inference_generated_tokens_per_question", "inference_wall_seconds_per_question",
        })
        {
            Assert.Contains(column, header);
        }

        Assert.All(lines, line => Assert.Equal(header.Length, line.Split(',').Length));
        var search = header.Zip(lines[1].Split(',')).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal("search", search["strategy"]);
        Assert.Equal("1;2", search["seed_list"]);
        Assert.Equal("0.9;0.8", search["seed_accuracies"]);
        Assert.Equal("0.85", search["accuracy"]);
        Assert.Equal("11000", search["train_generated_tokens"]);
        Assert.Equal("2000000000000", search["train_flops"]);
        Assert.Equal((2048 * SampleRecords.MiB).ToString(System.Globalization.CultureInfo.InvariantCulture), search["train_peak_resident_bytes"]);
        Assert.Equal("", search["train_peak_device_bytes"]);
        Assert.Equal("1100", search["inference_generated_tokens_per_question"]);

        var broken = header.Zip(lines[3].Split(',')).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal(("0", "", ""), (broken["seeds"], broken["accuracy"], broken["train_flops"]));
    }

    [Fact]
    public void CsvQuotesFieldsWithCommasAndQuotes()
    {
        RunRecord[] records = [new UnitStarted(1, "a,\"b\"", "x", 1), new UnitFinished(1, "a,\"b\"", 1, 1)];
        string csv = ComparisonTable.Csv(Summarizer.Summarize(records));
        Assert.StartsWith("\"a,\"\"b\"\"\",x,1,", csv.Split('\n')[1]);
    }

    [Fact]
    public void ReportsAreByteIdenticalWhenRebuiltFromTheSameRecords()
    {
        using var folder = new TempFolder();
        string path = folder.File("records.msgpack");
        using (RecordLog log = RecordLog.OpenForAppend(path, out _))
        {
            log.Append(SampleRecords.SmallRun());
        }

        RunSummary fromMemory = Summarizer.Summarize(SampleRecords.SmallRun());
        RunSummary fromDisk = Summarizer.Summarize(RecordLog.Read(path).Records);

        Assert.Equal(ComparisonTable.Markdown(fromMemory), ComparisonTable.Markdown(fromDisk));
        Assert.Equal(ComparisonTable.Csv(fromMemory), ComparisonTable.Csv(fromDisk));
        Assert.Equal(SummaryJson.Write(fromMemory), SummaryJson.Write(fromDisk));
    }

    [Fact]
    public void CompareReportHasOneRowPerRunAndStrategy()
    {
        RunSummary small = Summarizer.Summarize(SampleRecords.SmallRun());
        string markdown = CompareReport.Markdown([("run-a", small), ("run-b", small)]);
        string[] lines = markdown.Split('\n');

        Assert.Equal(Header.Replace("| strategy |", "| run / strategy |", StringComparison.Ordinal), lines[0]);
        Assert.StartsWith("| run-a / search | 2 | 85.0% [76.7, 90.7] |", lines[2]);
        Assert.StartsWith("| run-b / broken | 0 |", lines[7]);
        Assert.Contains("run-b: Base policy (SFT, seeds 1)", markdown);
        Assert.Equal(markdown, CompareReport.Markdown([("run-a", small), ("run-b", small)]));
    }
}
