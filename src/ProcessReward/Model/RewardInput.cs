using Reasoning.Core.Solutions;
using Reasoning.Policy.Tokenization;
using static TorchSharp.torch;

namespace Reasoning.ProcessReward.Model;

/// <summary>One solution as reward-model input: ids, and where each line ends.</summary>
/// <param name="Ids">Begin, the question, end of step, then each line and its line-end token.</param>
/// <param name="LineEnds">Index in <paramref name="Ids"/> of each line's end-of-step or end-of-answer token, one per line.</param>
/// <param name="PromptLength">Tokens of the question (begin, the question, end of step): the written tokens start here.</param>
internal sealed record RewardInput(int[] Ids, int[] LineEnds, int PromptLength)
{
    /// <summary>
    /// Encodes a solution the way the policy reads it (<see cref="ITokenizer.EncodePrompt"/>, then each step with
    /// the format's separator after it), so a reward model built from the policy sees familiar text. A step's score is
    /// read at the last token of its separator (for the character tokenizer, its line-end token).
    /// </summary>
    /// <exception cref="ArgumentException">A step contains the separator (for lines, any line break), or a character the tokenizer cannot encode.</exception>
    public static RewardInput Encode(ITokenizer tokenizer, ISolutionFormat format, string prompt, IReadOnlyList<string> lines)
    {
        List<int> ids = tokenizer.EncodePrompt(prompt);
        int promptLength = ids.Count;
        var lineEnds = new int[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            bool broken = format is LineSolutionFormat ? lines[i].AsSpan().IndexOfAny('\n', '\r') >= 0 : lines[i].Contains(format.StepSeparator, StringComparison.Ordinal);
            if (broken)
            {
                throw new ArgumentException($"step {i} of a solution to '{prompt}' contains the step separator; a step is one line or paragraph", nameof(lines));
            }

            ids.AddRange(tokenizer.Encode(format.RenderSteps([lines[i]])));
            lineEnds[i] = ids.Count - 1;
        }

        return new RewardInput(ids.ToArray(), lineEnds, promptLength);
    }

    /// <summary>
    /// Right-padded ids [B, T] (padding id 0, masked), positions [B, T] (a shared arange), and
    /// each row's <see cref="PromptLength"/> [B].
    /// </summary>
    public static (Tensor Ids, Tensor Positions, Tensor PromptLengths) Pack(IReadOnlyList<RewardInput> batch, Device device)
    {
        int t = batch.Max(e => e.Ids.Length);
        var ids = new long[batch.Count * t];
        for (int i = 0; i < batch.Count; i++)
        {
            int[] row = batch[i].Ids;
            for (int j = 0; j < row.Length; j++)
            {
                ids[i * t + j] = row[j];
            }
        }

        Tensor packed = tensor(ids, new long[] { batch.Count, t }, device: device);      // [B, T]
        // Expanded, not copied: the transformer then shares one rotary table row across the batch.
        Tensor promptLengths = tensor(batch.Select(e => (long)e.PromptLength).ToArray(), device: device); // [B]
        return (packed, arange(t, device: device).expand(batch.Count, t), promptLengths); // [B, T], [B, T], [B]
    }
}
