using Reasoning.Core.Storage;
using Reasoning.Experiments.Records;
using ScottPlot;

namespace Reasoning.Experiments.Reports;

/// <summary>
/// The run's plots, each as PNG and SVG: accuracy against inference tokens per question (one labelled point per
/// strategy, Wilson interval as error bars) and, when the run recorded any, training curves against step
/// (the mean over seeds of each (label, curve); one panel-file per curve name besides the combined one, since
/// curves such as loss and response length have different scales).
/// </summary>
internal static class Plots
{
    public const string AccuracyVsTokens = "accuracy-vs-tokens";
    public const string TrainingCurves = "training-curves";
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
            var mean = group
                .SelectMany(series => series.Points)
                .Where(p => double.IsFinite(p.Value)) // a diverged step is a gap, not an axis to infinity
                .GroupBy(p => p.Step)
                .OrderBy(g => g.Key)
                .Select(g => (Step: (double)g.Key, Value: g.Average(p => p.Value)))
                .ToList();
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
