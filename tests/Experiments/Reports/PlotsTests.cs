using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class PlotsTests
{
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void WritesAccuracyAndCurvePlotsAsPngAndSvg()
    {
        using var folder = new TempFolder();
        IReadOnlyList<string> files = Plots.WriteAll(Summarizer.Summarize(SampleRecords.SmallRun()), folder.Path);

        string[] expected =
        [
            "accuracy-vs-tokens.png", "accuracy-vs-tokens.svg",
            "training-curves.png", "training-curves.svg",
            "training-curves-sft-loss.png", "training-curves-sft-loss.svg",
            "training-curves-grpo-reward.png", "training-curves-grpo-reward.svg",
        ];
        Assert.Equal(expected, files.Select(Path.GetFileName));
        foreach (string file in files)
        {
            AssertIsImage(file);
        }

        Assert.Equal(files.Order(), Directory.GetFiles(folder.Path).Order()); // no temporary files left
        Assert.Contains("search", File.ReadAllText(folder.File("accuracy-vs-tokens.svg")));
    }

    [Fact]
    public void AnEmptyRunStillGetsAnAccuracyPlotAndNoCurves()
    {
        using var folder = new TempFolder();
        RunRecord[] records = [new UnitStarted(1, "a", "a", 10)];
        IReadOnlyList<string> files = Plots.WriteAll(Summarizer.Summarize(records), folder.Path);

        Assert.Equal(["accuracy-vs-tokens.png", "accuracy-vs-tokens.svg"], files.Select(Path.GetFileName));
        foreach (string file in files)
        {
            AssertIsImage(file);
        }
    }

    [Fact]
    public void ErrorBarsRunFromTheWilsonLowToTheWilsonHigh()
    {
        RunSummary summary = Summarizer.Summarize(SampleRecords.SmallRun());
        using ScottPlot.Plot plot = Plots.AccuracyPlot(summary);
        var bars = Assert.Single(plot.GetPlottables().OfType<ScottPlot.Plottables.ErrorBar>());
        AccuracySummary search = summary.Strategies[0].Accuracy!;
        Assert.Equal((search.WilsonHigh - search.Pooled) * 100, bars.YErrorPositive![0], 9);
        Assert.Equal((search.Pooled - search.WilsonLow) * 100, bars.YErrorNegative![0], 9);
        Assert.Equal(1100, bars.Xs[0], 9);
    }

    [Fact]
    public void ADivergedCurveStillGetsItsReportAndPlots()
    {
        using var folder = new TempFolder();
        RunRecord[] records =
        [
            new UnitStarted(1, "grpo", "grpo", 1),
            new CurvePoint(1, "grpo", "grpo/loss", 0, 1.0),
            new CurvePoint(1, "grpo", "grpo/loss", 1, double.NaN),
            new CurvePoint(1, "grpo", "grpo/loss", 2, double.PositiveInfinity),
            new UnitFinished(1, "grpo", 1, 0),
        ];

        RunSummary summary = RunReport.WriteAll(records, folder.Path);
        Assert.Contains("\"NaN\"", File.ReadAllText(folder.File("summary.json")));
        AssertIsImage(folder.File("plots/training-curves.png"));
        AssertIsImage(folder.File("plots/training-curves.svg"));
        Assert.Equal(3, Assert.Single(summary.Curves).Points.Count);
    }

    [Fact]
    public void AGrpoRunGetsOneResponseLengthPanelForRightAndWrongAnswers()
    {
        using var folder = new TempFolder();
        var records = new List<RunRecord> { new UnitStarted(1, "grpo", "grpo", 1) };
        for (int step = 1; step <= 40; step++)
        {
            records.Add(new CurvePoint(1, "grpo", "grpo/length_right", step, 30 + step % 3));
            records.Add(new CurvePoint(1, "grpo", "grpo/length_wrong", step, 40 - step % 5));
        }

        records.Add(new UnitFinished(1, "grpo", 1, 0));
        IReadOnlyList<string> files = Plots.WriteAll(Summarizer.Summarize(records), folder.Path);
        Assert.Contains(folder.File("response-length.png"), files);
        AssertIsImage(folder.File("response-length.png"));
        string svg = File.ReadAllText(folder.File("response-length.svg"));
        Assert.Contains("right answers", svg);
        Assert.Contains("wrong answers", svg);
        Assert.Contains("moving average over 2 steps", svg); // 40 points: a window of 2

        using ScottPlot.Plot plot = Plots.ResponseLengthPlot(Summarizer.Summarize(records).Curves);
        Assert.Equal(2, plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Count());
    }

    [Fact]
    public void TheMovingAverageIsTrailingAndShortAtTheStart()
    {
        Assert.Equal([2.0, 3.0, 5.0, 7.0], Plots.MovingAverage([2.0, 4.0, 6.0, 8.0], 2));
        Assert.Equal([2.0, 3.0, 4.0, 6.0], Plots.MovingAverage([2.0, 4.0, 6.0, 8.0], 3));
        Assert.Equal([1.0, 5.0], Plots.MovingAverage([1.0, 5.0], 1));
        Assert.Empty(Plots.MovingAverage([], 4));
        Assert.Equal(1, Plots.SmoothingWindow(19));
        Assert.Equal(15, Plots.SmoothingWindow(300));
    }

    internal static void AssertIsImage(string file)
    {
        byte[] bytes = File.ReadAllBytes(file);
        Assert.True(bytes.Length > 100, $"{file} is nearly empty");
        if (file.EndsWith(".png", StringComparison.Ordinal))
        {
            Assert.Equal(PngMagic, bytes[..PngMagic.Length]);
        }
        else
        {
            string text = File.ReadAllText(file).TrimStart();
            Assert.True(text.StartsWith("<svg", StringComparison.Ordinal) || text.StartsWith("<?xml", StringComparison.Ordinal), $"{file} is not SVG");
            Assert.EndsWith("</svg>", text.TrimEnd());
        }
    }
}

public sealed class SweepSeriesTests
{
    private static StrategySummary Strategy(string label) => new(
        label, "s", [new SeedResult(1, 10, 5)], new AccuracySummary(5, 10, 0.5, 0.2, 0.8, 0.5, null), null,
        new PhaseSummary("inference", 1, 10, 10, 0, 1e6, 1, 1, null, 1, new PerQuestionFigures(1, 1, 0, 1e5, 0.1), 0));

    [Fact]
    public void AStrategySweepOfNumbersIsOneSeriesAndEverythingElseStandsAlone()
    {
        var series = Plots.SweepSeries(
        [
            Strategy("greedy"), Strategy("bon.samples-2"), Strategy("sc-8"), Strategy("bon.samples-16"),
            Strategy("mcts.simulations-6"), Strategy("grpo.loss_aggregation-dr_grpo"), Strategy("sc.samples-2.temperature-0.5"), Strategy("sc.samples-2.temperature-1.0"),
        ]);

        Assert.Equal(
            [
                ("greedy", null, "greedy"), ("bon", "samples", "2,16"), ("sc-8", null, "sc-8"), ("mcts", "simulations", "6"),
                ("grpo.loss_aggregation-dr_grpo", null, "grpo.loss_aggregation-dr_grpo"), ("sc.samples-2", "temperature", "0.5,1.0"),
            ],
            series.Select(s => (s.Name, s.Key, string.Join(',', s.Points.Select(p => p.Value)))));
    }

    [Fact]
    public void ARunWithANumericSweepGetsTheScalingPlot()
    {
        using var folder = new TempFolder();
        var summary = new RunSummary(null, [Strategy("greedy"), Strategy("bon.samples-2"), Strategy("bon.samples-4")], null, [], [], []);

        IReadOnlyList<string> files = Plots.WriteAll(summary, folder.Path);

        Assert.Contains(files, f => Path.GetFileName(f) == "test-time-scaling.png");
    }
}
