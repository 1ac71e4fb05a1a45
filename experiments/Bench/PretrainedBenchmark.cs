using Reasoning.Core.Problems;
using Reasoning.Policy.Pretrained;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// <c>bench policy --shape</c>: a random model folder of a published model's real shape, written once and loaded by
/// both stacks (the C# stack through <see cref="ModelFolder.Load"/>, the peer through <c>bench/hf_reference</c>'s
/// reader), then greedy generation in fp32 and in bf16: a batch of prompts of mixed lengths (its prefill and its
/// decode) and a single prompt (decode at batch 1), and each stack's peak resident set. As in <see cref="PolicyBenchmark"/>
/// the stacks take turns (never run at once), each call is timed by the stack itself, and every figure is a median.
/// </summary>
internal static class PretrainedBenchmark
{
    public static PretrainedBenchReport Run(
        PretrainedBenchSettings settings, IPretrainedStack csharp, IPretrainedStack? peer, string? peerSkippedBecause, IReadOnlyList<string> notes,
        string command, TextWriter progress)
    {
        string loadAtStart = PolicyBenchmark.LoadAverage();
        IPretrainedStack[] stacks = peer is null ? [csharp] : [csharp, peer];
        HfModelConfig shape = ModelShapes.Get(settings.Shape);
        string folder = Path.Combine(Path.GetTempPath(), $"reasoning-bench-{settings.Shape}-{Environment.ProcessId}");
        try
        {
            progress.WriteLine($"writing a random {settings.Shape} model folder ({shape.Model.ParameterCount:N0} parameters, fp32) to {folder} ...");
            ModelShapes.WriteRandom(folder, shape, settings.Seed);
            long folderBytes = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
            foreach (IPretrainedStack stack in stacks)
            {
                stack.Memory(reset: true); // writing the folder is not part of any figure
            }

            var random = DeterministicRandom.ForPurpose(settings.Seed, "bench/pretrained/prompts");
            int[] Prompt(int length) => Enumerable.Range(0, length).Select(_ => random.Next(3, Math.Min(shape.Model.VocabularySize, 259))).ToArray();
            int[][] batch = settings.PromptLengths().Select(Prompt).ToArray();
            int[][] single = [Prompt(settings.SinglePromptLength)];

            var figures = new List<PrecisionFigures>();
            foreach (string precision in settings.Precisions)
            {
                var loads = new Dictionary<IPretrainedStack, (double Seconds, long PeakBytes)>();
                foreach (IPretrainedStack stack in stacks)
                {
                    progress.WriteLine($"{stack.Name}: loading the folder in {precision} ...");
                    double seconds = stack.LoadFolder(folder, precision);
                    loads[stack] = (seconds, stack.Memory(reset: true).PeakBytes);
                }

                foreach (IPretrainedStack stack in stacks)
                {
                    // Untimed: first-touch allocations, and the JIT on the C# side.
                    stack.Greedy(batch, settings.WarmUpTokens, 1);
                    stack.Greedy(single, settings.WarmUpTokens, 1);
                }

                var batchRuns = stacks.ToDictionary(s => s, _ => new List<GreedyRun>());
                var singleRuns = stacks.ToDictionary(s => s, _ => new List<GreedyRun>());
                for (int round = 0; round < settings.Rounds; round++)
                {
                    progress.WriteLine($"{precision}, round {round + 1} of {settings.Rounds}: batch {batch.Length} and batch 1, {settings.NewTokens} new tokens ...");
                    // Who goes first alternates: neither stack always follows the other.
                    IPretrainedStack[] order = round % 2 == 0 ? stacks : Enumerable.Reverse(stacks).ToArray();
                    foreach ((int[][] prompts, Dictionary<IPretrainedStack, List<GreedyRun>> runs) in new[] { (batch, batchRuns), (single, singleRuns) })
                    {
                        foreach (IPretrainedStack stack in order)
                        {
                            runs[stack].AddRange(stack.Greedy(prompts, settings.NewTokens, 1));
                        }
                    }
                }

                PretrainedStackFigures Figures(IPretrainedStack s) => new(
                    loads[s].Seconds, loads[s].PeakBytes, s.Memory(reset: true).PeakBytes,
                    batchRuns[s].Select(r => r.PrefillSeconds).ToArray(), batchRuns[s].Select(r => r.DecodeSeconds).ToArray(),
                    singleRuns[s].Select(r => r.DecodeSeconds).ToArray(), batchRuns[s][^1].Tokens, singleRuns[s][^1].Tokens);
                figures.Add(new PrecisionFigures(precision, Figures(csharp), peer is null ? null : Figures(peer)));
                foreach (IPretrainedStack stack in stacks)
                {
                    stack.Unload();
                    stack.Memory(reset: true);
                }
            }

            var workload = new PretrainedWorkload(
                settings.Shape, shape.Family.ToString(), shape.Model.ParameterCount, folderBytes, batch.Length, batch.Sum(p => p.Length),
                batch.Max(p => p.Length), settings.ShortestPrompt, settings.LongestPrompt, settings.SinglePromptLength, settings.NewTokens);
            return new PretrainedBenchReport(
                PolicyBenchmark.MachineDescription(), loadAtStart, PolicyBenchmark.LoadAverage(), command, settings, workload,
                csharp.Name, csharp.Description, peer?.Name, peer?.Description, peerSkippedBecause, figures, notes);
        }
        finally
        {
            foreach (IPretrainedStack stack in stacks)
            {
                stack.Unload();
            }

            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}

/// <summary>Every figure of one <c>bench policy --shape</c> run; what <c>--json</c> writes.</summary>
internal sealed record PretrainedBenchReport(
    string Machine,
    string LoadAverageAtStart,
    string LoadAverageAtEnd,
    string Command,
    PretrainedBenchSettings Settings,
    PretrainedWorkload Workload,
    string CSharpName,
    string CSharpDescription,
    string? PeerName,
    string? PeerDescription,
    string? PeerSkippedBecause,
    IReadOnlyList<PrecisionFigures> Precisions,
    IReadOnlyList<string> Notes);

/// <summary>The model and the prompts both stacks ran.</summary>
/// <param name="PromptTokens">Tokens of the batched prompts (what the prefill rate counts; the pass computes <see cref="Batch"/> × <see cref="PaddedLength"/> positions).</param>
internal sealed record PretrainedWorkload(
    string Shape, string Family, long Parameters, long FolderBytes, int Batch, int PromptTokens, int PaddedLength,
    int ShortestPrompt, int LongestPrompt, int SinglePromptLength, int NewTokens);

/// <summary>Both stacks' figures in one precision, and how far their greedy tokens agree.</summary>
internal sealed record PrecisionFigures(string Precision, PretrainedStackFigures CSharp, PretrainedStackFigures? Peer)
{
    /// <summary>Rows (of the batch and the single prompt) whose generated tokens are all the peer's; null without a peer.</summary>
    public int? RowsAgreeing => Peer is null ? null
        : CSharp.BatchTokens.Concat(CSharp.SingleTokens).Zip(Peer.BatchTokens.Concat(Peer.SingleTokens)).Count(p => p.First.SequenceEqual(p.Second));

    /// <summary>Rows whose first generated token is the peer's (the prefill's argmax).</summary>
    public int? FirstTokensAgreeing => Peer is null ? null
        : CSharp.BatchTokens.Concat(CSharp.SingleTokens).Zip(Peer.BatchTokens.Concat(Peer.SingleTokens)).Count(p => p.First[0] == p.Second[0]);

    public int Rows => CSharp.BatchTokens.Length + CSharp.SingleTokens.Length;
}

/// <summary>
/// One stack's figures in one precision: seconds per timed call (prefill, then decode, split where every row's first
/// token is on the host), the peak resident set while loading and over the generation calls, and the tokens of the
/// last call of each workload.
/// </summary>
internal sealed record PretrainedStackFigures(
    double LoadSeconds, long LoadPeakBytes, long PeakBytes, double[] BatchPrefillSeconds, double[] BatchDecodeSeconds, double[] SingleDecodeSeconds,
    int[][] BatchTokens, int[][] SingleTokens)
{
    /// <summary>Prompt tokens per second of the batched prefill.</summary>
    public double PrefillTokensPerSecond(PretrainedWorkload w) => w.PromptTokens / PolicyBenchmark.Median(BatchPrefillSeconds);

    /// <summary>Tokens per second of the decode steps: every row's tokens after its first, over the time after the first.</summary>
    public double BatchDecodeTokensPerSecond(PretrainedWorkload w) => (double)w.Batch * (w.NewTokens - 1) / PolicyBenchmark.Median(BatchDecodeSeconds);

    public double SingleDecodeTokensPerSecond(PretrainedWorkload w) => (w.NewTokens - 1) / PolicyBenchmark.Median(SingleDecodeSeconds);
}
