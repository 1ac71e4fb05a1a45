using static Reasoning.Experiments.Bench.BenchTable;

namespace Reasoning.Experiments.Bench;

/// <summary>The one Markdown table of <c>bench policy</c>, with the issue's targets beside the figures.</summary>
internal static class PolicyBenchTable
{
    public static string Render(PolicyBenchReport report)
    {
        StackFigures me = report.CSharp;
        StackFigures? peer = report.Peer;
        var table = new BenchTable(me.Name, peer?.Name);

        table.Row(F($"fp32 matmul, highest rate, n = {string.Join("/", report.Settings.MatmulSizes)}, {report.Settings.Threads} threads (GFLOP/s)"),
            F($"{me.MatmulPeakGflops:F0}"), peer is null ? null : F($"{peer.MatmulPeakGflops:F0}"), Ratio(me.MatmulPeakGflops, peer?.MatmulPeakGflops));

        var settings = report.Settings;
        foreach (int batch in settings.GenerationBatches)
        {
            foreach (bool cache in new[] { true, false })
            {
                GenerationFigure? mine = me.GenerationAt(batch, cache);
                if (mine is null)
                {
                    continue;
                }

                GenerationFigure? theirs = peer?.GenerationAt(batch, cache);
                bool? met = cache && theirs is not null ? mine.TokensPerSecond >= 1.3 * theirs.TokensPerSecond : null;
                table.Row(F($"generation {mine.Preset}, batch {batch}, {(cache ? "KV cache" : "no cache")}, {settings.PromptLength} + {settings.NewTokens} tokens (tokens/s)"),
                    F($"{mine.TokensPerSecond:N0}"), theirs is null ? null : F($"{theirs.TokensPerSecond:N0}"),
                    Ratio(mine.TokensPerSecond, theirs?.TokensPerSecond), cache ? "≥ 1.3x peer" : "", met);
            }
        }

        int largest = settings.GenerationBatches.Max();
        double? Speedup(StackFigures? s) =>
            s?.GenerationAt(largest, true) is { } c && s.GenerationAt(largest, false) is { } n ? c.TokensPerSecond / n.TokensPerSecond : null;
        double? mySpeedup = Speedup(me), peerSpeedup = Speedup(peer);
        if (mySpeedup is not null)
        {
            table.Row(F($"KV-cache speed-up, batch {largest}, {settings.NewTokens} new tokens"), F($"{mySpeedup:F1}x"), peerSpeedup is null ? null : F($"{peerSpeedup:F1}x"),
                "", "≥ 5x", mySpeedup >= 5);
        }

        foreach (TrainingFigure mine in me.Training)
        {
            TrainingFigure? theirs = peer?.TrainingOf(mine.Preset);
            bool headline = mine.Preset == "small";
            table.Row(F($"training {mine.Preset} ({mine.Parameters / 1e6:F1}M), batch {mine.Batch} x {mine.Length}, AdamW (tokens/s)"),
                F($"{mine.TokensPerSecond:N0}"), theirs is null ? null : F($"{theirs.TokensPerSecond:N0}"), Ratio(mine.TokensPerSecond, theirs?.TokensPerSecond),
                headline ? "≥ 1.0x peer" : "", headline && theirs is not null ? mine.TokensPerSecond >= theirs.TokensPerSecond : null);
        }

        foreach (TrainingFigure mine in me.Training)
        {
            TrainingFigure? theirs = peer?.TrainingOf(mine.Preset);
            bool headline = mine.Preset == "small";
            table.Row(F($"training MFU {mine.Preset}: {mine.AchievedGflops:F0} GFLOP/s of {report.MachineMatmulPeakGflops:F0}"),
                F($"{mine.ModelFlopsUtilisation:P0}"), theirs is null ? null : F($"{theirs.ModelFlopsUtilisation:P0} ({theirs.AchievedGflops:F0} GFLOP/s)"), "",
                headline ? "≥ 40%" : "", headline ? mine.ModelFlopsUtilisation >= 0.40 : null);
        }

        table.Row("peak resident set, generation rows (MB)", Megabytes(me.PeakResidentGenerationBytes), peer is null ? null : Megabytes(peer.PeakResidentGenerationBytes));
        table.Row("peak resident set, training rows (MB)", Megabytes(me.PeakResidentTrainingBytes), peer is null ? null : Megabytes(peer.PeakResidentTrainingBytes));

        if (report.Parity is { } parity)
        {
            table.Row(F($"parity: same {parity.Preset} weights and batch, loss of {parity.CSharpLosses.Length} AdamW steps at lr {parity.LearningRate:G2} (first, last)"),
                F($"{parity.CSharpLosses[0]:F6}, {parity.CSharpLosses[^1]:F6}"), F($"{parity.PeerLosses[0]:F6}, {parity.PeerLosses[^1]:F6}"),
                F($"max Δ {parity.MaxAbsoluteDifference:E1}"), F($"≤ {parity.Tolerance:E0}"), parity.Passed);
        }
        else
        {
            table.Row("parity: same weights and batch, same loss", "—", null, "", "≤ 1e-05", null);
        }

        SoakResult soak = report.Soak;
        table.Row(F($"soak: {soak.Calls:N0} generate calls, batch 1, {soak.NewTokens} tokens, after {soak.WarmUpCalls:N0} warm-up calls: live tensors; resident set"),
            F($"{soak.LiveTensorsAtEnd - soak.LiveTensorsAfterWarmUp:+0;-0;0} tensors; {soak.ResidentChange:+0.0%;-0.0%;0.0%} ({soak.ResidentAtEnd / 1048576.0:F0} MB)"),
            null, "", "0 tensors; within ±5%", soak.Passed);

        return table.ToString();
    }
}
