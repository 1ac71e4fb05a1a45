using System.Globalization;

namespace Reasoning.Experiments.Bench;

/// <summary>The table of <c>bench policy --shape</c>, with the issue's targets beside the figures.</summary>
internal static class PretrainedBenchTable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(PretrainedBenchReport report)
    {
        PretrainedWorkload w = report.Workload;
        string peerHeading = report.PeerName ?? "PyTorch eager (peer): skipped";
        var lines = new List<string>
        {
            $"| figure | {report.CSharpName} | {peerHeading} | C# / peer | target | met |",
            "|---|---:|---:|---:|---|---|",
        };

        void Row(string figure, string mine, string? theirs, string ratio = "", string target = "", bool? met = null) =>
            lines.Add($"| {figure} | {mine} | {theirs ?? "—"} | {ratio} | {target} | {(met is null ? "" : met.Value ? "yes" : "**no**")} |");

        void Rate(string figure, double mine, double? theirs)
        {
            double? ratio = theirs is > 0 ? mine / theirs.Value : null;
            Row(figure, F($"{mine:N0}"), theirs is null ? null : F($"{theirs:N0}"), ratio is null ? "" : F($"{ratio:F2}x"),
                F($"≥ {PretrainedBenchSettings.SpeedTarget:F1}x peer"), ratio is null ? null : ratio >= PretrainedBenchSettings.SpeedTarget);
        }

        string prompts = F($"{w.Batch} prompts of {w.ShortestPrompt}-{w.LongestPrompt} tokens");
        foreach (PrecisionFigures p in report.Precisions)
        {
            PretrainedStackFigures me = p.CSharp;
            PretrainedStackFigures? peer = p.Peer;
            Rate(F($"{p.Precision} prefill, batch {w.Batch}: {prompts} ({w.PromptTokens:N0} tokens, padded to {w.Batch} x {w.PaddedLength}) (prompt tokens/s)"),
                me.PrefillTokensPerSecond(w), peer?.PrefillTokensPerSecond(w));
            Rate(F($"{p.Precision} decode, batch 1: {w.SinglePromptLength}-token prompt, {w.NewTokens} new tokens, greedy (tokens/s)"),
                me.SingleDecodeTokensPerSecond(w), peer?.SingleDecodeTokensPerSecond(w));
            Rate(F($"{p.Precision} decode, batch {w.Batch}: {prompts}, {w.NewTokens} new tokens, greedy (tokens/s)"),
                me.BatchDecodeTokensPerSecond(w), peer?.BatchDecodeTokensPerSecond(w));
            double? memoryRatio = peer is { PeakBytes: > 0 } && me.PeakBytes > 0 ? (double)me.PeakBytes / peer.PeakBytes : null;
            Row(F($"{p.Precision} peak resident set of the process over these generation calls, model loaded (MB)"),
                Megabytes(me.PeakBytes), peer is null ? null : Megabytes(peer.PeakBytes), memoryRatio is null ? "" : F($"{memoryRatio:F2}x"),
                F($"≤ {PretrainedBenchSettings.MemoryTarget:F1}x peer"), memoryRatio is null ? null : memoryRatio <= PretrainedBenchSettings.MemoryTarget);
            Row(F($"{p.Precision} load: seconds; peak resident set while loading (MB)"),
                F($"{me.LoadSeconds:F1} s; {Megabytes(me.LoadPeakBytes)}"), peer is null ? null : F($"{peer.LoadSeconds:F1} s; {Megabytes(peer.LoadPeakBytes)}"));
            if (p.RowsAgreeing is { } agreeing)
            {
                Row(F($"{p.Precision} greedy tokens: rows whose first token / all {w.NewTokens} tokens are the peer's"),
                    F($"{p.FirstTokensAgreeing} / {agreeing} of {p.Rows}"), null);
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Megabytes(long bytes) => bytes <= 0 ? "unknown" : F($"{bytes / 1048576.0:N0}");

    private static string F(FormattableString text) => text.ToString(Invariant);
}
