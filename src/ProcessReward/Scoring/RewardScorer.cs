using Reasoning.Core.Accounting;
using Reasoning.ProcessReward.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.ProcessReward.Scoring;

/// <summary>A solution to score: its question line and the lines written after it (steps, perhaps an answer line).</summary>
public readonly record struct SolutionLines(string Prompt, IReadOnlyList<string> Lines);

/// <summary>
/// Batched reward-model scoring: many solutions (or partial solutions) at once, right-padded into as few
/// forward passes as <see cref="DefaultBatchSize"/> allows. Causal attention makes each row's scores
/// independent of its batch and its padding. Every pass is charged to the caller's meter: processed tokens
/// (padding included, as it is computed) and the reward model's forward FLOPs (with its reference's, for an implicit head).
/// </summary>
public static class RewardScorer
{
    public const int DefaultBatchSize = 64;

    /// <summary>Per solution, one score in [0, 1] per line: sigmoid of the head at the line's end.</summary>
    /// <exception cref="ArgumentException">A solution is longer than the model's context, has a line with a line break, or a character the tokenizer cannot encode.</exception>
    public static double[][] Score(RewardModel model, IReadOnlyList<SolutionLines> solutions, IUsageMeter meter, int batchSize = DefaultBatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var inputs = solutions.Select(s => RewardInput.Encode(model.Tokenizer, model.Format, s.Prompt, s.Lines)).ToArray();
        int tooLong = Array.FindIndex(inputs, i => i.Ids.Length > model.Config.MaxSequenceLength);
        if (tooLong >= 0)
        {
            throw new ArgumentException(
                $"solution {tooLong} has {inputs[tooLong].Ids.Length} tokens; the reward model takes {model.Config.MaxSequenceLength}", nameof(solutions));
        }

        var result = new double[solutions.Count][];
        // Longest first, so rows of similar length share a pass and little padding is computed.
        int[] order = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].LineEnds.Length > 0).OrderByDescending(i => inputs[i].Ids.Length).ToArray();
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = [];
        }

        for (int start = 0; start < order.Length; start += batchSize)
        {
            int[] rows = order.AsSpan(start, Math.Min(batchSize, order.Length - start)).ToArray();
            float[] probabilities = Pass(model, rows.Select(r => inputs[r]).ToArray(), meter, out int t);
            for (int i = 0; i < rows.Length; i++)
            {
                int[] ends = inputs[rows[i]].LineEnds;
                result[rows[i]] = ends.Select(e => (double)probabilities[i * t + e]).ToArray();
            }
        }

        return result;
    }

    /// <summary>
    /// One score per solution: its line scores aggregated <paramref name="how"/>. An outcome reward model's
    /// score is always its last line's (<see cref="ScoreAggregation.Last"/>): it was trained on nothing else.
    /// </summary>
    public static double[] ScoreSolutions(IStepScorer model, IReadOnlyList<SolutionLines> solutions, ScoreAggregation how, IUsageMeter meter)
    {
        ScoreAggregation used = model.Kind == RewardModelKind.OutcomeReward ? ScoreAggregation.Last : how;
        return model.Score(solutions, meter).Select(s => ScoreAggregator.Aggregate(s, used)).ToArray();
    }

    /// <summary>One forward pass; returns sigmoid of the logits, [B·T] row-major, and T.</summary>
    private static float[] Pass(RewardModel model, IReadOnlyList<RewardInput> batch, IUsageMeter meter, out int t)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        (Tensor ids, Tensor positions, Tensor promptLengths) = RewardInput.Pack(batch, model.Device); // [B, T], [B, T], [B]
        long b = ids.shape[0];
        t = (int)ids.shape[1];
        float[] probabilities = model.Forward(ids, positions, promptLengths).to(float32).sigmoid().cpu().data<float>().ToArray(); // [B·T]
        long tokens = b * t;
        meter.Record(new Usage(0, tokens, 0, model.ScoringFlops(tokens, b * t * (t + 1) / 2.0)));
        meter.ReportEstimatedBytes(model.EstimatedScoringBytes((int)b, t));
        return probabilities;
    }
}
