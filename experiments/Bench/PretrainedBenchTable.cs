using static Reasoning.Experiments.Bench.BenchTable;

namespace Reasoning.Experiments.Bench;

/// <summary>The table of <c>bench policy --shape</c>, with the targets beside the figures.</summary>
internal static class PretrainedBenchTable
{
    public static string Render(PretrainedBenchReport report)
    {
        PretrainedWorkload w = report.Workload;
        var table = new BenchTable(report.CSharpName, report.PeerName);

        void Rate(string figure, double mine, double? theirs)
        {
            table.Row(figure, F($"{mine:N0}"), theirs is null ? null : F($"{theirs:N0}"), Ratio(mine, theirs),
                F($"≥ {PretrainedBenchSettings.SpeedTarget:F1}x peer"), theirs is > 0 ? mine / theirs.Value >= PretrainedBenchSettings.SpeedTarget : null);
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
            table.Row(F($"{p.Precision} peak resident set of the process over these generation calls, model loaded (MB)"),
                Megabytes(me.PeakBytes), peer is null ? null : Megabytes(peer.PeakBytes), memoryRatio is null ? "" : F($"{memoryRatio:F2}x"),
                F($"≤ {PretrainedBenchSettings.MemoryTarget:F1}x peer"), memoryRatio is null ? null : memoryRatio <= PretrainedBenchSettings.MemoryTarget);
            table.Row(F($"{p.Precision} load: seconds; peak resident set while loading (MB)"),
                F($"{me.LoadSeconds:F1} s; {Megabytes(me.LoadPeakBytes)}"), peer is null ? null : F($"{peer.LoadSeconds:F1} s; {Megabytes(peer.LoadPeakBytes)}"));
            if (p.RowsAgreeing is { } agreeing)
            {
                table.Row(F($"{p.Precision} greedy tokens: rows whose first token / all {w.NewTokens} tokens are the peer's"),
                    F($"{p.FirstTokensAgreeing} / {agreeing} of {p.Rows}"), null);
            }
        }

        return table.ToString();
    }
}
