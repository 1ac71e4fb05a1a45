using Reasoning.Core.Storage;
using Reasoning.Experiments.Records;
using Reasoning.SelfPlay.R1.Strategies;
using ScottPlot;

namespace Reasoning.Experiments.Reports;

/// <summary>
/// The run's plots, each as PNG and SVG: accuracy against inference tokens per question (one labelled point per
/// strategy, Wilson interval as error bars) and, when the run recorded any, training curves against step
/// (the mean over seeds of each (label, curve); one panel-file per curve name besides the combined one, since
/// curves such as loss and response length have different scales) and, for GRPO runs, the response length of right and
/// wrong answers together, smoothed, in one panel. A run with strategy sweeps (labels <c>label.key-value</c>) also gets
/// <c>test-time-scaling</c>: each sweep's points joined in order of tokens, on a logarithmic token axis. A task sweep's
/// folder gets accuracy, inference tokens and inference peak memory against the swept key (<see cref="WriteSweep"/>).
/// </summary>
internal static partial class Plots
{
    public const string AccuracyVsTokens = "accuracy-vs-tokens";
    public const string TrainingCurves = "training-curves";
    public const string ResponseLength = "response-length";
    public const string TestTimeScaling = "test-time-scaling";
    public const string AccuracyVsTotalFlops = "accuracy-vs-total-flops";
    public const int Width = 900;
    public const int Height = 600;

    /// <summary>Writes every plot into <paramref name="folder"/>; returns the files written.</summary>
    public static IReadOnlyList<string> WriteAll(RunSummary summary, string folder)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        written.AddRange(Save(AccuracyPlot(summary), folder, AccuracyVsTokens));
        if (summary.Strategies.Any(s => s.Budget is { Seeds.Count: > 0 } && s.Accuracy is not null))
        {
            written.AddRange(Save(BudgetPlot(summary.Strategies), folder, AccuracyVsTotalFlops));
        }

        if (SweepSeries(summary.Strategies).Any(s => s.Points.Count > 1))
        {
            written.AddRange(Save(ScalingPlot(summary.Strategies), folder, TestTimeScaling));
        }

        if (summary.Curves.Count > 0)
        {
            written.AddRange(Save(CurvePlot(summary.Curves, "training curves"), folder, TrainingCurves));
            var names = summary.Curves.Select(c => c.Curve).Distinct(StringComparer.Ordinal).ToList();
            if (names.Count > 1)
            {
                foreach (string name in names)
                {
                    var series = summary.Curves.Where(c => c.Curve == name).ToList();
                    written.AddRange(Save(CurvePlot(series, name), folder, $"{TrainingCurves}-{FileSafe(name)}"));
                }
            }

            var lengths = summary.Curves.Where(c => c.Curve is GrpoCurves.LengthRight or GrpoCurves.LengthWrong).ToList();
            if (lengths.Count > 0)
            {
                written.AddRange(Save(ResponseLengthPlot(lengths), folder, ResponseLength));
            }
        }

        return written;
    }

    /// <summary>x: inference generated tokens per question; y: pooled accuracy (%) with its Wilson interval.</summary>
    internal static Plot AccuracyPlot(RunSummary summary)
    {
        var plot = new Plot();
        var shown = summary.Strategies
            .Where(s => s.Accuracy is not null && s.Inference?.PerQuestion is not null)
            .ToList();
        double[] xs = shown.Select(s => s.Inference!.PerQuestion!.GeneratedTokens).ToArray();
        double[] ys = shown.Select(s => s.Accuracy!.Pooled * 100).ToArray();
        AddAccuracyPoints(plot, shown, xs, ys);
        plot.Title("Accuracy against inference tokens");
        plot.XLabel("generated tokens per question (inference)");
        plot.YLabel("accuracy (%), 95% Wilson interval");
        plot.Axes.SetLimitsY(0, 100);
        double xMax = xs.Length == 0 ? 1 : xs.Max();
        plot.Axes.SetLimitsX(0, xMax <= 0 ? 1 : xMax * 1.25);
        return plot;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<series>.+?)\.(?<key>[a-z_]+)-(?<value>[^.]+(\.[0-9]+)?)$")]
    private static partial System.Text.RegularExpressions.Regex SweepLabelPattern();

    /// <summary>
    /// The strategies grouped into series: those labelled <c>series.key-value</c> with a numeric value (a strategy sweep
    /// of a number; with several swept keys, the last one varies along the series) share a series per (series, key), the
    /// others are series of one.
    /// Series in order of first appearance; points of a series as they appear.
    /// </summary>
    internal static IReadOnlyList<(string Name, string? Key, IReadOnlyList<(string Value, StrategySummary Strategy)> Points)> SweepSeries(IReadOnlyList<StrategySummary> strategies)
    {
        var series = new List<(string Name, string? Key, List<(string, StrategySummary)> Points)>();
        foreach (StrategySummary strategy in strategies.Where(s => s.Accuracy is not null && s.Inference?.PerQuestion is not null))
        {
            var match = SweepLabelPattern().Match(strategy.Label);
            bool numeric = match.Success && double.TryParse(match.Groups["value"].Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
            (string name, string? key, string value) = numeric
                ? (match.Groups["series"].Value, match.Groups["key"].Value, match.Groups["value"].Value)
                : (strategy.Label, null, strategy.Label);
            int index = series.FindIndex(s => s.Name == name && s.Key == key && key is not null);
            if (index < 0)
            {
                series.Add((name, key, []));
                index = series.Count - 1;
            }

            series[index].Points.Add((value, strategy));
        }

        return series.Select(s => (s.Name, s.Key, (IReadOnlyList<(string, StrategySummary)>)s.Points)).ToList();
    }

    /// <summary>
    /// Test-time scaling: accuracy (%) against inference generated tokens per question on a log-10 axis; each strategy
    /// sweep is one line through its points in order of tokens, each point marked with its swept value; unswept
    /// strategies are single points.
    /// </summary>
    internal static Plot ScalingPlot(IReadOnlyList<StrategySummary> strategies)
    {
        var plot = new Plot();
        var all = SweepSeries(strategies);
        foreach (var (name, key, points) in all)
        {
            var ordered = points.OrderBy(p => p.Strategy.Inference!.PerQuestion!.GeneratedTokens).ToList();
            double[] xs = ordered.Select(p => Math.Log10(Math.Max(1e-3, p.Strategy.Inference!.PerQuestion!.GeneratedTokens))).ToArray();
            double[] ys = ordered.Select(p => p.Strategy.Accuracy!.Pooled * 100).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.MarkerSize = 8;
            line.LegendText = key is null ? name : $"{name} (over {key})";
            if (key is not null)
            {
                for (int i = 0; i < ordered.Count; i++)
                {
                    var text = plot.Add.Text(ordered[i].Value, xs[i], ys[i]);
                    text.LabelFontSize = 11;
                    text.OffsetX = 5;
                    text.OffsetY = -5;
                }
            }
        }

        LogTicks(plot.Axes.Bottom, all.SelectMany(s => s.Points).Select(p => p.Strategy.Inference!.PerQuestion!.GeneratedTokens));
        plot.Title("Test-time scaling: accuracy against inference tokens");
        plot.XLabel("generated tokens per question (inference, log scale)");
        plot.YLabel("accuracy (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.ShowLegend();
        return plot;
    }

    /// <summary>
    /// A run with a compute budget: accuracy (%, Wilson interval) against the FLOPs each strategy spent per seed
    /// (training plus inference, log-10 axis), with the budget as a vertical line.
    /// </summary>
    internal static Plot BudgetPlot(IReadOnlyList<StrategySummary> strategies)
    {
        var plot = new Plot();
        var shown = strategies.Where(s => s.Budget is { Seeds.Count: > 0 } && s.Accuracy is not null && s.Budget.MeanTotalFlops > 0).ToList();
        double[] xs = shown.Select(s => Math.Log10(s.Budget!.MeanTotalFlops)).ToArray();
        double[] ys = shown.Select(s => s.Accuracy!.Pooled * 100).ToArray();
        AddAccuracyPoints(plot, shown, xs, ys);
        if (shown.Count > 0)
        {
            double budget = shown[0].Budget!.BudgetFlops;
            var line = plot.Add.VerticalLine(Math.Log10(budget));
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"budget {Formats.Scientific(budget)} FLOPs per seed";
            LogTicks(plot.Axes.Bottom, shown.Select(s => s.Budget!.MeanTotalFlops).Append(budget));
            // Room on the right for the labels of the strategies that spent the whole budget.
            plot.Axes.SetLimitsX(Math.Min(xs.Min(), Math.Log10(budget)) - 0.2, Math.Max(xs.Max(), Math.Log10(budget)) + 0.5);
            plot.ShowLegend(Alignment.LowerLeft);
        }

        plot.Title("Accuracy against compute spent (training plus inference)");
        plot.XLabel("FLOPs per seed (log scale)");
        plot.YLabel("accuracy (%), 95% Wilson interval");
        plot.Axes.SetLimitsY(0, 100);
        return plot;
    }

    /// <summary>One labelled point per strategy at (<paramref name="xs"/>, <paramref name="ys"/>), its Wilson interval as an error bar.</summary>
    private static void AddAccuracyPoints(Plot plot, IReadOnlyList<StrategySummary> shown, double[] xs, double[] ys)
    {
        if (shown.Count == 0)
        {
            return;
        }

        // Set by name: the constructor's error arguments run positive before negative, easy to swap.
        var bars = new ScottPlot.Plottables.ErrorBar(xs, ys, null, null, null, null)
        {
            YErrorPositive = shown.Select(s => (s.Accuracy!.WilsonHigh - s.Accuracy.Pooled) * 100).ToArray(),
            YErrorNegative = shown.Select(s => (s.Accuracy!.Pooled - s.Accuracy.WilsonLow) * 100).ToArray(),
        };
        plot.Add.Plottable(bars);
        var points = plot.Add.ScatterPoints(xs, ys);
        points.MarkerSize = 9;
        for (int i = 0; i < shown.Count; i++)
        {
            var label = plot.Add.Text(shown[i].Label, xs[i], ys[i]);
            label.LabelFontSize = 13;
            label.OffsetX = 8;
            label.OffsetY = -8;
        }
    }

    /// <summary>Ticks at 1, 2 and 5 times the powers of ten that cover <paramref name="values"/>, on an axis of their log-10.</summary>
    private static void LogTicks(ScottPlot.IAxis axis, IEnumerable<double> values)
    {
        var positive = values.Where(v => v > 0).ToList();
        if (positive.Count == 0)
        {
            return;
        }

        int low = (int)Math.Floor(Math.Log10(positive.Min()));
        int high = (int)Math.Ceiling(Math.Log10(positive.Max()));
        var ticks = new List<double>();
        for (int power = low; power <= high; power++)
        {
            ticks.AddRange(new[] { 1.0, 2.0, 5.0 }.Select(m => m * Math.Pow(10, power)));
        }

        axis.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(t => t.ToString(t >= 1e5 ? "0e0" : "G4", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    /// <summary>
    /// A task sweep's plots: accuracy (Wilson interval as error bars), inference generated tokens per question and
    /// inference peak RSS against the swept key, one line per strategy label.
    /// </summary>
    public static IReadOnlyList<string> WriteSweep(IReadOnlyList<SweepVariantSummary> variants, string folder)
    {
        Directory.CreateDirectory(folder);
        if (variants.Count == 0)
        {
            return [];
        }

        string key = variants[0].Key;
        var written = new List<string>();
        written.AddRange(Save(SweepPlot(variants, s => s.Accuracy?.Pooled * 100, s => s.Accuracy is { } a ? ((a.Pooled - a.WilsonLow) * 100, (a.WilsonHigh - a.Pooled) * 100) : null,
            $"Accuracy against {key}", "accuracy (%), 95% Wilson interval", Alignment.UpperRight), folder, $"accuracy-vs-{key}"));
        written.AddRange(Save(SweepPlot(variants, s => s.Inference?.PerQuestion?.GeneratedTokens, null,
            $"Inference tokens against {key}", "generated tokens per question (inference)", Alignment.UpperLeft), folder, $"inference-tokens-vs-{key}"));
        written.AddRange(Save(SweepPlot(variants, s => s.Inference is { } i ? i.PeakResidentBytes / Formats.BytesPerMebibyte : null, null,
            $"Inference peak memory against {key}", "inference peak RSS (MiB)", Alignment.UpperLeft), folder, $"peak-memory-vs-{key}"));
        return written;
    }

    private static Plot SweepPlot(
        IReadOnlyList<SweepVariantSummary> variants, Func<StrategySummary, double?> value, Func<StrategySummary, (double Below, double Above)?>? error, string title, string yLabel, Alignment legend)
    {
        var plot = new Plot();
        var labels = variants.SelectMany(v => v.Summary.Strategies.Select(s => s.Label)).Distinct(StringComparer.Ordinal).ToList();
        foreach (string label in labels)
        {
            var points = variants
                .Select(v => (X: (double)v.Value, Strategy: v.Summary.Strategies.FirstOrDefault(s => s.Label == label)))
                .Where(p => p.Strategy is not null && value(p.Strategy) is not null)
                .ToList();
            if (points.Count == 0)
            {
                continue;
            }

            double[] xs = points.Select(p => p.X).ToArray();
            double[] ys = points.Select(p => value(p.Strategy!)!.Value).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.MarkerSize = 7;
            line.LegendText = label;
            if (error is not null)
            {
                var bars = points.Select(p => error(p.Strategy!) ?? (0, 0)).ToList();
                var errorBar = new ScottPlot.Plottables.ErrorBar(xs, ys, null, null, null, null)
                {
                    YErrorPositive = bars.Select(b => b.Above).ToArray(),
                    YErrorNegative = bars.Select(b => b.Below).ToArray(),
                    LineColor = line.Color,
                };
                plot.Add.Plottable(errorBar);
            }
        }

        plot.Axes.Bottom.SetTicks(variants.Select(v => (double)v.Value).ToArray(), variants.Select(v => Formats.Exact(v.Value)).ToArray());
        plot.Title(title);
        plot.XLabel(variants[0].Key);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        return plot;
    }

    /// <summary>One line per (label, curve): the mean over seeds at each step that any seed recorded (non-finite values left out).</summary>
    internal static Plot CurvePlot(IReadOnlyList<CurveSeries> curves, string title)
    {
        var plot = new Plot();
        foreach (var group in curves.GroupBy(c => (c.Label, c.Curve)))
        {
            var mean = MeanOverSeeds(group);
            var line = plot.Add.ScatterLine(mean.Select(p => p.Step).ToArray(), mean.Select(p => p.Value).ToArray());
            int seeds = group.Count();
            line.LegendText = $"{group.Key.Label} {group.Key.Curve}" + (seeds > 1 ? $" (mean of {seeds} seeds)" : "");
        }

        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("value");
        plot.ShowLegend();
        return plot;
    }

    /// <summary>
    /// GRPO's mean response length of right and of wrong answers per step, one line per (label, curve), each the mean over
    /// seeds smoothed by a trailing moving average of one <see cref="SmoothingWindow"/> of the longest series' steps (the per-step values of
    /// a batch of 128 responses are noisy; the unsmoothed curves have their own files).
    /// </summary>
    internal static Plot ResponseLengthPlot(IReadOnlyList<CurveSeries> curves)
    {
        var plot = new Plot();
        int window = SmoothingWindow(curves.Max(c => c.Points.Count));
        foreach (var group in curves.GroupBy(c => (c.Label, c.Curve)))
        {
            var mean = MeanOverSeeds(group);
            double[] smoothed = MovingAverage(mean.Select(p => p.Value).ToArray(), window);
            var line = plot.Add.ScatterLine(mean.Select(p => p.Step).ToArray(), smoothed);
            int seeds = group.Count();
            string which = group.Key.Curve == GrpoCurves.LengthRight ? "right answers" : "wrong answers";
            line.LegendText = $"{group.Key.Label}: {which}" + (seeds > 1 ? $" (mean of {seeds} seeds)" : "");
            line.LinePattern = group.Key.Curve == GrpoCurves.LengthRight ? LinePattern.Solid : LinePattern.Dashed;
        }

        plot.Title("GRPO response length, right and wrong answers");
        plot.XLabel("step");
        plot.YLabel($"response tokens (moving average over {window} steps)");
        plot.ShowLegend();
        return plot;
    }

    /// <summary>A twentieth of the steps, at least 1.</summary>
    internal static int SmoothingWindow(int points) => Math.Max(1, points / 20);

    /// <summary>Element i is the mean of the values at i − window + 1 … i (fewer at the start).</summary>
    internal static double[] MovingAverage(IReadOnlyList<double> values, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var result = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }

            result[i] = sum / Math.Min(i + 1, window);
        }

        return result;
    }

    /// <summary>The mean over seeds at each step any seed recorded; non-finite values are left out (a diverged step is a gap, not an axis to infinity).</summary>
    private static List<(double Step, double Value)> MeanOverSeeds(IEnumerable<CurveSeries> seeds) => seeds
        .SelectMany(series => series.Points)
        .Where(p => double.IsFinite(p.Value))
        .GroupBy(p => p.Step)
        .OrderBy(g => g.Key)
        .Select(g => ((double)g.Key, g.Average(p => p.Value)))
        .ToList();

    /// <summary>Renders the plot as PNG and SVG, each written atomically, and disposes it.</summary>
    private static string[] Save(Plot plot, string folder, string name)
    {
        using (plot)
        {
            string png = Path.Combine(folder, name + ".png");
            string svg = Path.Combine(folder, name + ".svg");
            AtomicFile.WriteAllBytes(png, plot.GetImageBytes(Width, Height, ImageFormat.Png));
            AtomicFile.WriteAllText(svg, plot.GetSvgXml(Width, Height));
            return [png, svg];
        }
    }

    private static string FileSafe(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-'));
}
