using Reasoning.Core.Accounting;
using Reasoning.Policy.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Policy.Generation;

/// <summary>
/// Batched sampling: prompts are left-padded to a common length, prefilled in one pass into a
/// preallocated KV cache, then decoded one token per step. A row that reaches its stop token leaves
/// the batch (the cache keeps only live rows), so finished rows stop costing compute.
/// Every forward pass is charged to the meter of the row's request.
/// </summary>
internal static class BatchedSampler
{
    /// <summary>The character tokenizer's stop rule reads only the line-end ids, not the characters.</summary>
    private static readonly CharTokenizer LineEnds = new("");

    /// <param name="model">The model, in evaluation mode.</param>
    /// <param name="prompts">Token ids per row, each starting with <see cref="CharTokenizer.Begin"/>.</param>
    /// <param name="options">Options per row (rows of merged requests may differ in seed and stop, not in temperature or length).</param>
    /// <param name="meters">The meter each row's costs go to.</param>
    /// <param name="ignoreStopTokens">Benchmarks only: every row runs to the length limit, stop tokens or not, so the work is fixed.</param>
    /// <param name="tokenizer">Says which generated token ends a step or the solution (<see cref="ITokenizer.StopAfter"/>); null for the character tokenizer's line-end tokens.</param>
    public static GeneratedSequence[] Generate(
        Transformer model, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<RowOptions> options, IReadOnlyList<IUsageMeter> meters,
        bool ignoreStopTokens = false, ITokenizer? tokenizer = null)
    {
        int batch = prompts.Count;
        if (batch == 0)
        {
            return [];
        }

        TransformerConfig config = model.Config;
        SamplingOptions shared = options[0].Sampling;
        int longest = prompts.Max(p => p.Count);
        int maxNew = Math.Min(shared.MaxNewTokens, config.MaxSequenceLength - longest);
        if (prompts.Any(p => p.Count == 0) || maxNew < 1)
        {
            throw new ArgumentException($"prompts must be non-empty and shorter than the model's {config.MaxSequenceLength} positions (longest: {longest})");
        }

        Device device = model.Device;
        long estimate = MemoryEstimate.Inference(config, batch, longest + maxNew, model.Dtype == ScalarType.BFloat16 ? 2 : 4).Total;
        foreach (IUsageMeter meter in meters.Distinct())
        {
            meter.ReportEstimatedBytes(estimate);
        }
        Row[] all = Enumerable.Range(0, batch).Select(i => new Row(i, prompts[i].Count, options[i], meters[i])).ToArray();
        var rows = all.ToList();
        using var outer = NewDisposeScope();
        using var noGrad = no_grad();

        // Left padding: row i starts at column pad_i; its positions count from 0 there.
        var ids = new long[batch * longest];
        var positions = new long[batch * longest];
        var valid = new bool[batch * (longest + maxNew)];
        for (int i = 0; i < batch; i++)
        {
            int pad = longest - prompts[i].Count;
            for (int j = 0; j < longest; j++)
            {
                ids[i * longest + j] = j < pad ? CharTokenizer.Padding : prompts[i][j - pad];
                positions[i * longest + j] = Math.Max(0, j - pad);
            }

            for (int j = pad; j < longest + maxNew; j++)
            {
                valid[i * (longest + maxNew) + j] = true;
            }
        }

        bool padded = prompts.Any(p => p.Count != longest);
        Tensor keyValid = tensor(valid, new long[] { batch, longest + maxNew }, device: device);              // [B, Tmax]
        Tensor tokens = tensor(ids, new long[] { batch, longest }, device: device);                           // [B, T]
        Tensor position = tensor(positions, new long[] { batch, longest }, device: device);                   // [B, T]
        using var cache = shared.UseCache ? new KvCache(config, batch, longest + maxNew, model.Dtype, device) : null;

        Tensor logits;
        using (NewDisposeScope())
        {
            logits = Step(model, tokens, position, padded ? PrefillMask(keyValid, longest, device) : null, cache, rows, config, prefill: true,
                    real: padded ? keyValid.narrow(1, 0, longest) : null)
                .MoveToOuterDisposeScope();
        }

        for (int step = 0; ; step++)
        {
            using var stepScope = NewDisposeScope();
            (int Token, float LogProbability)[] choices = Choose(logits, shared.Temperature, shared.TopP, rows.Select(r => r.Random).ToArray());
            int finished = 0;
            for (int r = 0; r < rows.Count; r++)
            {
                Row row = rows[r];
                (int token, float logProbability) = choices[r];
                row.Tokens.Add(token);
                row.LogProbabilities.Add(logProbability);
                row.Meter.Record(new Usage(1, 0, 0, 0));
                TokenStop stop = ignoreStopTokens ? TokenStop.None : (tokenizer ?? LineEnds).StopAfter(row.Tokens);
                if (stop == TokenStop.EndOfAnswer || (stop == TokenStop.EndOfStep && row.Options.Sampling.Stop == StopAt.EndOfStep))
                {
                    row.Stopped = true;
                    finished++;
                }
            }

            if (step + 1 >= maxNew || finished == rows.Count)
            {
                break;
            }

            if (finished > 0)
            {
                int[] live = Enumerable.Range(0, rows.Count).Where(r => !rows[r].Stopped).ToArray();
                Tensor keep = tensor(live.Select(r => (long)r).ToArray(), device: device);
                keyValid = Replace(keyValid, keyValid.index_select(0, keep));
                if (cache is not null)
                {
                    cache.SelectRows(keep);
                }
                else
                {
                    tokens = Replace(tokens, tokens.index_select(0, keep));
                    position = Replace(position, position.index_select(0, keep));
                }

                rows = live.Select(r => rows[r]).ToList();
                padded = rows.Any(r => r.PromptLength != longest);
            }

            long length = longest + step + 1; // columns in use once this token is in
            Tensor nextTokens = tensor(rows.Select(r => (long)r.Tokens[^1]).ToArray(), new long[] { rows.Count, 1 }, device: device);     // [B, 1]
            Tensor nextPositions = tensor(rows.Select(r => (long)(r.PromptLength + step)).ToArray(), new long[] { rows.Count, 1 }, device: device); // [B, 1]
            Tensor next;
            if (cache is not null)
            {
                // The cache masks what is not written yet; the mask only has to hide padding, over its whole capacity.
                Tensor? mask = padded ? keyValid.view(rows.Count, 1, 1, longest + maxNew) : null;                     // [B, 1, 1, capacity]
                next = Step(model, nextTokens, nextPositions, mask, cache, rows, config, prefill: false);
            }
            else
            {
                tokens = Replace(tokens, cat(new[] { tokens, nextTokens }, 1));                                         // [B, L]
                position = Replace(position, cat(new[] { position, nextPositions }, 1));                                // [B, L]
                next = Step(model, tokens, position, padded ? PrefillMask(keyValid, length, device) : null, null, rows, config, prefill: true,
                    real: padded ? keyValid.narrow(1, 0, length) : null);
            }

            logits = Replace(logits, next);
        }

        return all.Select(row => new GeneratedSequence(row.Tokens, row.LogProbabilities, row.Stopped)).ToArray();
    }

    /// <summary>Disposes <paramref name="old"/> and keeps <paramref name="replacement"/> past the current step's scope.</summary>
    private static Tensor Replace(Tensor old, Tensor replacement)
    {
        replacement.MoveToOuterDisposeScope();
        old.Dispose();
        return replacement;
    }

    /// <summary>
    /// One forward pass; charges each row its tokens and FLOPs; returns the last position's logits, [B, V]. A row is charged the
    /// pass's T positions, padding included, whether or not the model packs its real positions (<paramref name="real"/>,
    /// <see cref="Transformer.LastLogits"/>): the charge is the model's count for the pass as the batch lays it out.
    /// </summary>
    private static Tensor Step(Transformer model, Tensor tokens, Tensor positions, Tensor? mask, KvCache? cache, List<Row> rows, TransformerConfig config, bool prefill,
        Tensor? real = null)
    {
        long t = tokens.shape[1];
        long before = cache?.Length ?? 0;
        Tensor logits = model.LastLogits(tokens, positions, mask, cache, real);                              // [B, V]
        // A causal pass over T positions attends T(T+1)/2 of them; one step over a cache of L attends L.
        double attended = prefill ? t * (t + 1) / 2.0 : before + 1;
        double flops = config.ForwardFlops(t, attended);
        foreach (Row row in rows)
        {
            row.Meter.Record(new Usage(0, t, 0, flops));
        }

        return logits;
    }

    /// <summary>Causal mask over the first <paramref name="length"/> columns, without padded keys; a padded query sees itself (no empty rows).</summary>
    private static Tensor PrefillMask(Tensor keyValid, long length, Device device)
    {
        Tensor causal = ones(length, length, dtype: ScalarType.Bool, device: device).tril();                  // [T, T]
        Tensor keys = keyValid.narrow(1, 0, length).view(-1, 1, 1, length);                                    // [B, 1, 1, T]
        Tensor self = eye(length, dtype: ScalarType.Bool, device: device);                                    // [T, T]
        return (causal & keys) | self;                                                                        // [B, 1, T, T]
    }

    /// <summary>
    /// Each row's next token and its log-probability, as <see cref="TokenChooser"/> picks it from log softmax(logits / temperature).
    /// Greedy rows need only the maximum: it is taken where the logits are (the first maximal id, as TokenChooser's scan takes it;
    /// a row with a NaN is NaN everywhere after the softmax and gives id 0 either way), so two numbers per row reach the host,
    /// not the vocabulary (151,936 floats per row for Qwen). Sampled rows copy their distributions to the host and draw there
    /// from their own random streams.
    /// </summary>
    /// <param name="logits">[B, V] logits of the next position.</param>
    /// <param name="randoms">Each row's random stream (used only when sampling).</param>
    internal static (int Token, float LogProbability)[] Choose(Tensor logits, double temperature, double topP, IReadOnlyList<DeterministicRandom> randoms)
    {
        // Skip the no-op conversions and the division by 1 (exact either way): each op has a fixed cost.
        Tensor scaled = logits.dtype == float32 ? logits : logits.to(float32);                              // [B, V]
        if (temperature > 0 && temperature != 1.0)
        {
            scaled = scaled / temperature;
        }

        Tensor logProbabilities = nn.functional.log_softmax(scaled, -1);                                     // [B, V]
        var choices = new (int Token, float LogProbability)[randoms.Count];
        if (temperature == 0)
        {
            (Tensor values, Tensor ids) = logProbabilities.max(-1);                                           // [B], [B]
            float[] best = OnHost(values).data<float>().ToArray();
            long[] bestIds = OnHost(ids).data<long>().ToArray();
            for (int r = 0; r < randoms.Count; r++)
            {
                choices[r] = ((int)bestIds[r], best[r]);
            }

            return choices;
        }

        float[] all = OnHost(logProbabilities).data<float>().ToArray();                                     // [B·V]
        int vocabulary = (int)logits.shape[^1];
        for (int r = 0; r < randoms.Count; r++)
        {
            choices[r] = TokenChooser.Choose(all.AsSpan(r * vocabulary, vocabulary), temperature, topP, randoms[r]);
        }

        return choices;
    }

    private static Tensor OnHost(Tensor t) => t.device_type == DeviceType.CPU ? t : t.cpu();

    internal sealed record RowOptions(SamplingOptions Sampling, int RowInRequest)
    {
        public DeterministicRandom CreateRandom() => DeterministicRandom.ForPurpose(Sampling.Seed, $"row/{RowInRequest}");
    }

    private sealed class Row(int index, int promptLength, RowOptions options, IUsageMeter meter)
    {
        public int Index { get; } = index;
        public int PromptLength { get; } = promptLength;
        public RowOptions Options { get; } = options;
        public IUsageMeter Meter { get; } = meter;
        public DeterministicRandom Random { get; } = options.CreateRandom();
        public List<int> Tokens { get; } = new();
        public List<float> LogProbabilities { get; } = new();
        public bool Stopped { get; set; }
    }
}
