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
/// wrong answers together, smoothed, in one panel.
/// </summary>
internal static class Plots
{
    public const string AccuracyVsTokens = "accuracy-vs-tokens";
    public const string TrainingCurves = "training-curves";
    public const string ResponseLength = "response-length";
    public const int Width = 900;
    public const int Height = 600;

    /// <summary>Writes every plot into <paramref name="folder"/>; returns the files written.</summary>
    public static IReadOnlyList<string> WriteAll(RunSummary summary, string folder)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        written.AddRange(Save(AccuracyPlot(summary), folder, AccuracyVsTokens));
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
        if (shown.Count > 0)
        {
            double[] below = shown.Select(s => (s.Accuracy!.Pooled - s.Accuracy.WilsonLow) * 100).ToArray();
            double[] above = shown.Select(s => (s.Accuracy!.WilsonHigh - s.Accuracy.Pooled) * 100).ToArray();
            // Set by name: the constructor's error arguments run positive before negative, easy to swap.
            var bars = new ScottPlot.Plottables.ErrorBar(xs, ys, null, null, null, null)
            {
                YErrorPositive = above,
                YErrorNegative = below,
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

        plot.Title("Accuracy against inference tokens");
        plot.XLabel("generated tokens per question (inference)");
        plot.YLabel("accuracy (%), 95% Wilson interval");
        plot.Axes.SetLimitsY(0, 100);
        double xMax = xs.Length == 0 ? 1 : xs.Max();
        plot.Axes.SetLimitsX(0, xMax <= 0 ? 1 : xMax * 1.25);
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
