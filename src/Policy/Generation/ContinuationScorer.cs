using Reasoning.Core.Accounting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Policy.Generation;

/// <summary>Log-probabilities of given continuations of given prompts, all in one batched forward pass.</summary>
internal static class ContinuationScorer
{
    /// <summary>
    /// A right-padded batch of prompt + continuation: ids [B, T], and for each row where its
    /// continuation starts and how long it is.
    /// </summary>
    public static (Tensor Ids, int[] Starts, int[] Lengths) Pack(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> continuations, Device device)
    {
        int batch = prompts.Count;
        int longest = Enumerable.Range(0, batch).Max(i => prompts[i].Count + continuations[i].Count);
        var ids = new long[batch * longest];
        Array.Fill(ids, CharTokenizer.Padding);
        var starts = new int[batch];
        var lengths = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            int at = i * longest;
            foreach (int id in prompts[i].Concat(continuations[i]))
            {
                ids[at++] = id;
            }

            starts[i] = prompts[i].Count;
            lengths[i] = continuations[i].Count;
        }

        return (tensor(ids, new long[] { batch, longest }, device: device), starts, lengths);
    }

    /// <summary>
    /// log p(token | prefix) for every position after the first: [B, T-1], differentiable when the
    /// caller has gradients on. Logits are divided by <paramref name="temperature"/> (1 = the model's own distribution).
    /// </summary>
    public static Tensor TokenLogProbabilities(Transformer model, Tensor ids, double temperature) =>
        TokenLogProbabilities(model, ids, temperature, entropy: false, out _);

    /// <summary>
    /// As <see cref="TokenLogProbabilities(Transformer, Tensor, double)"/>, and the entropy [B, T-1] of each of those
    /// distributions (without gradient), from the same forward pass.
    /// </summary>
    public static Tensor TokenLogProbabilities(Transformer model, Tensor ids, double temperature, out Tensor entropy) =>
        TokenLogProbabilities(model, ids, temperature, entropy: true, out entropy!);

    private static Tensor TokenLogProbabilities(Transformer model, Tensor ids, double temperature, bool entropy, out Tensor? entropies)
    {
        long b = ids.shape[0], t = ids.shape[1];
        Tensor positions = arange(t, device: ids.device).expand(b, t);                     // [B, T]
        Tensor logits = model.Forward(ids, positions);                                    // [B, T, V]
        if (temperature != 1.0)
        {
            logits = logits / temperature;
        }

        Tensor logProbabilities = nn.functional.log_softmax(logits.narrow(1, 0, t - 1).to(float32), -1); // [B, T-1, V]
        entropies = null;
        if (entropy)
        {
            using var noGrad = no_grad();
            entropies = -(logProbabilities.exp() * logProbabilities).sum(-1);                          // [B, T-1]
        }

        return Gather(logProbabilities, ids);
    }

    /// <summary>
    /// From a model's <paramref name="logits"/> [B, T, V] over <paramref name="ids"/> [B, T]: position i's log-probability of
    /// token i + 1, [B, T-1] (the alignment of <see cref="TokenLogProbabilities(Transformer, Tensor, double)"/>, at temperature 1).
    /// </summary>
    public static Tensor NextTokenLogProbabilities(Tensor logits, Tensor ids) =>
        Gather(nn.functional.log_softmax(logits.narrow(1, 0, ids.shape[1] - 1).to(float32), -1), ids);

    /// <summary>Picks, from log-probabilities [B, T-1, V], each position's next token of <paramref name="ids"/>: [B, T-1].</summary>
    private static Tensor Gather(Tensor logProbabilities, Tensor ids) =>
        logProbabilities.gather(2, ids.narrow(1, 1, ids.shape[1] - 1).unsqueeze(2)).squeeze(2);

    /// <summary>Per row, the log-probability of each continuation token (no gradients).</summary>
    public static float[][] Score(
        Transformer model, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> continuations, double temperature, IReadOnlyList<IUsageMeter> meters)
    {
        if (prompts.Count == 0)
        {
            return [];
        }

        if (prompts.Count != continuations.Count || prompts.Any(p => p.Count == 0))
        {
            throw new ArgumentException("every continuation needs a non-empty prompt");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        (Tensor ids, int[] starts, int[] lengths) = Pack(prompts, continuations, model.Device);
        long t = ids.shape[1];
        if (t > model.Config.MaxSequenceLength)
        {
            throw new ArgumentException($"a prompt with its continuation has {t} tokens; the model takes {model.Config.MaxSequenceLength}");
        }

        float[] all = TokenLogProbabilities(model, ids, temperature).cpu().data<float>().ToArray(); // [B·(T-1)]
        Usage perRow = Accounting.PassCharges.Forward(model.Config, 1, t);
        var result = new float[prompts.Count][];
        for (int i = 0; i < prompts.Count; i++)
        {
            // Token j of the continuation sits at position start + j and is predicted from position start + j - 1.
            result[i] = all.AsSpan((int)(i * (t - 1)) + starts[i] - 1, lengths[i]).ToArray();
            meters[i].Record(perRow);
        }

        return result;
    }
}
