using Reasoning.Policy.Devices;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Reasoning.Policy.Model;

/// <summary>
/// A decoder-only, Llama-style transformer (Touvron et al. 2023): pre-norm blocks with RMSNorm
/// (Zhang &amp; Sennrich 2019), rotary positions (Su et al. 2021), SwiGLU (Shazeer 2020), causal
/// attention through <c>scaled_dot_product_attention</c>, optional grouped-query attention
/// (Ainslie et al. 2023) and tied embeddings. Shapes: B batch, T new positions, L positions
/// attended (cache included), C dimension, H heads, G kv heads, D head dimension, V vocabulary.
/// </summary>
public sealed class Transformer : Module
{
    private readonly Embedding tokens;
    private readonly ModuleList<Block> blocks;
    private readonly RmsNorm norm;
    private readonly Linear? output;
    // Not registered as buffers: they are derived from the config, so they stay out of checkpoints;
    // they follow the weights' device lazily and are cast to the weights' dtype after the lookup.
    private Tensor ropeCos;
    private Tensor ropeSin;

    public TransformerConfig Config { get; }

    /// <summary>Element type of the weights (float32, or bfloat16 for inference).</summary>
    public ScalarType Dtype => tokens.weight!.dtype;

    /// <summary>Bytes of the weights (parameters × element size).</summary>
    public long WeightBytes => parameters().Sum(p => p.numel() * p.ElementSize);

    /// <summary>Where the weights live.</summary>
    public Device Device => tokens.weight!.device;

    /// <summary>A model with weights drawn from <paramref name="seed"/>: N(0, 0.02), residual outputs scaled by 1/√(2·layers) (GPT-2); norms 1, biases 0.</summary>
    public Transformer(TransformerConfig config, long seed) : this(config, (long?)seed)
    {
    }

    /// <summary>A model whose weights are left as allocated, for a loader that overwrites every one of them (drawing them would cost seconds at real sizes).</summary>
    internal static Transformer ForLoading(TransformerConfig config) => new(config, seed: null);

    private Transformer(TransformerConfig config, long? seed) : base("transformer")
    {
        Config = config.Validate();
        tokens = Embedding(config.VocabularySize, config.Dimension);
        blocks = new ModuleList<Block>(Enumerable.Range(0, config.Layers).Select(i => new Block(config, i)).ToArray());
        norm = new RmsNorm(config.Dimension, config.NormEpsilon);
        output = config.TiedEmbeddings ? null : Linear(config.Dimension, config.VocabularySize, hasBias: false);
        RegisterComponents();
        // After RegisterComponents, which would register tensor fields as persistent buffers.
        (ropeCos, ropeSin) = RotaryTable(config);
        if (seed is { } drawn)
        {
            Initialise(drawn);
        }

        // A model built inside a caller's dispose scope must outlive it.
        foreach (Tensor t in parameters())
        {
            t.DetachFromDisposeScope();
        }
    }

    private void Initialise(long seed)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var generator = new Generator((ulong)seed);
        double residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach ((string name, Parameter p) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                p.fill_(1.0);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                p.zero_();
            }
            else
            {
                // randn with an explicit generator: init.normal_ does not take the generator into account here.
                double std = name.EndsWith("out.weight", StringComparison.Ordinal) || name.EndsWith("down.weight", StringComparison.Ordinal) ? residualStd : 0.02;
                p.copy_(randn(p.shape, generator: generator) * std);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ropeCos.Dispose();
            ropeSin.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Rotary tables laid out like one row of the fused qkv projection, [max length, (H + 2G)·D], so that
    /// one multiply-add rotates every head at once: <c>x·cos + swap(x)·sin</c>, where swap exchanges the
    /// halves of each head. For q and k heads: cos = (cos θ, cos θ) and sin = (−sin θ, sin θ), which is
    /// exactly (x₁cos θ − x₂sin θ, x₁sin θ + x₂cos θ); for v heads cos = 1 and sin = 0 leave v as it is.
    /// </summary>
    private static (Tensor Cos, Tensor Sin) RotaryTable(TransformerConfig config)
    {
        using var scope = NewDisposeScope();
        int half = config.HeadDimension / 2;
        double[] inverse = Enumerable.Range(0, half).Select(i => Math.Pow(config.RopeTheta, -2.0 * i / config.HeadDimension)).ToArray();
        Tensor frequencies = tensor(config.RopeScaling?.Apply(inverse) ?? inverse, float64);                        // [D/2]
        Tensor angles = outer(arange(config.MaxSequenceLength, dtype: float64), frequencies);                      // [Tmax, D/2]
        Tensor cos = angles.cos().to(float32), sin = angles.sin().to(float32);                                      // [Tmax, D/2]
        long rotated = config.Heads + config.KvHeads, values = config.KvHeads, length = config.MaxSequenceLength;
        Tensor cosHead = cat(new[] { cos, cos }, 1).unsqueeze(1);                                                  // [Tmax, 1, D]
        Tensor sinHead = cat(new[] { -sin, sin }, 1).unsqueeze(1);                                                 // [Tmax, 1, D]
        Tensor cosTable = cat(new[] { cosHead.expand(length, rotated, -1), ones(length, values, config.HeadDimension) }, 1);  // [Tmax, H+2G, D]
        Tensor sinTable = cat(new[] { sinHead.expand(length, rotated, -1), zeros(length, values, config.HeadDimension) }, 1); // [Tmax, H+2G, D]
        return (cosTable.reshape(length, -1).DetachFromDisposeScope(), sinTable.reshape(length, -1).DetachFromDisposeScope());
    }

    /// <summary>
    /// Logits for every new position. <paramref name="mask"/> is [B, 1, T, L] (true = may attend;
    /// with a cache it may also span the cache's whole capacity) or null: then attention is causal over
    /// the T new positions and everything cached before them.
    /// </summary>
    /// <param name="ids">[B, T] token ids.</param>
    /// <param name="positions">[B, T] rotary positions (long).</param>
    /// <param name="mask">[B, 1, T, L] boolean, or null.</param>
    /// <param name="cache">Keys and values to extend, or null for a plain forward pass.</param>
    /// <returns>[B, T, V] logits.</returns>
    /// <remarks>
    /// At small batches a step costs its number of tensor operations (each has a fixed overhead), not
    /// its FLOPs, so the residual stream stays [B·T, C], projections add the residual in the same GEMM
    /// (addmm), one multiply-add rotates q and k (and passes v through) for all heads, and with a cache
    /// attention runs over the cache's fixed views with one additive mask built per forward, not per layer.
    /// </remarks>
    public Tensor Forward(Tensor ids, Tensor positions, Tensor? mask = null, KvCache? cache = null) =>
        Project(Trunk(ids, positions, mask, cache)).view(ids.shape[0], ids.shape[1], -1); // [B·T, C] → [B, T, V]

    /// <summary>Evaluation mode and no gradients for any parameter: a model that only generates and scores.</summary>
    public void Freeze()
    {
        eval();
        foreach (Parameter p in parameters())
        {
            p.requires_grad = false;
        }
    }

    /// <summary>
    /// Logits of the last position of each row only, as <see cref="Forward"/> computes them there: what a sampler's
    /// prefill needs. The output projection is the largest matrix of a pretrained model (151,936 × 896 for Qwen2.5-0.5B),
    /// so projecting every prompt position would cost a [B, T, V] tensor (2.5 GB for 16 prompts of 256 tokens) and that many
    /// FLOPs for nothing. Arguments as for <see cref="Forward"/>.
    /// </summary>
    /// <returns>[B, V] logits.</returns>
    /// <param name="real">
    /// [B, T] boolean, true where a position holds a token and false where it is padding, or null. Given, a model whose passes
    /// cost their FLOPs (<see cref="FlopBound"/>) computes its projections and MLPs on the real positions only, packed into
    /// [N, C] (N real positions): padding's keys and values go into the cache as zeros, which the mask hides anyway. A batch of
    /// 16 prompts of 32-256 tokens has 2,304 real positions of 4,096. Logits of padded positions are not defined.
    /// </param>
    public Tensor LastLogits(Tensor ids, Tensor positions, Tensor? mask = null, KvCache? cache = null, Tensor? real = null)
    {
        long b = ids.shape[0], t = ids.shape[1];
        return Project(Trunk(ids, positions, mask, cache, real).view(b, t, Config.Dimension).select(1, t - 1)); // [B, C] → [B, V]
    }

    /// <summary>
    /// Whether this model's passes cost their FLOPs rather than their number of operations: grouped-query heads or weights in
    /// a reduced precision (the pretrained shapes). Such a model takes the paths that save FLOPs or memory for a few operations
    /// more (a prompt pass over its own keys, packed real positions, decode attention written out per kv head). The built-in
    /// fp32 models, at whose sizes a step costs its number of operations, keep the fused paths, and their tokens stay what
    /// they were.
    /// </summary>
    public bool FlopBound => Config.KvHeads != Config.Heads || Dtype != ScalarType.Float32;

    /// <summary>
    /// The final hidden states: the residual stream after the last block and the final norm, before the
    /// output projection (what a reward or value head reads). Arguments as for <see cref="Forward"/>.
    /// </summary>
    /// <returns>[B, T, C] hidden states.</returns>
    public Tensor HiddenStates(Tensor ids, Tensor positions, Tensor? mask = null, KvCache? cache = null) =>
        Trunk(ids, positions, mask, cache).view(ids.shape[0], ids.shape[1], Config.Dimension); // [B, T, C]

    /// <summary>The output projection of <see cref="HiddenStates"/>: [.., C] → [.., V] logits, as <see cref="Forward"/> computes them.</summary>
    public Tensor Project(Tensor hidden) => Product(hidden, output is null ? tokens.weight! : output.weight!, null);

    /// <summary>Everything up to the output projection: embedding, blocks, final norm; returns [B·T, C].</summary>
    private Tensor Trunk(Tensor ids, Tensor positions, Tensor? mask, KvCache? cache, Tensor? real = null)
    {
        long[] shape = ids.shape;
        long b = shape[0], t = shape[1];
        if (mask is null && t > 1 && cache is { Length: > 0 })
        {
            throw new ArgumentException("a multi-token step after cached positions needs an explicit mask", nameof(mask));
        }

        if (ropeCos.device != ids.device)
        {
            (Tensor cosTable, Tensor sinTable) = (ropeCos, ropeSin);
            ropeCos = cosTable.to(ids.device).DetachFromDisposeScope();
            ropeSin = sinTable.to(ids.device).DetachFromDisposeScope();
            cosTable.Dispose();
            sinTable.Dispose();
        }

        // Rows that share their positions (an expanded arange, as in training and scoring) share one table row: broadcast, not copied.
        long heads = Config.Heads + 2 * Config.KvHeads, tableRows = positions.stride(0) == 0 ? 1 : b;
        Tensor rows = (tableRows == 1 ? positions[0] : positions).reshape(tableRows * t);          // [B·T] or [T]
        Tensor cos = ropeCos.index_select(0, rows).view(tableRows, t, heads, Config.HeadDimension); // [B or 1, T, H+2G, D]
        Tensor sin = ropeSin.index_select(0, rows).view(tableRows, t, heads, Config.HeadDimension); // [B or 1, T, H+2G, D]
        ScalarType dtype = Dtype;
        if (dtype != ScalarType.Float32)
        {
            (cos, sin) = (cos.to(dtype), sin.to(dtype));
        }

        // A prompt pass into an empty cache of a grouped-query or bf16 model attends only to its own T keys, with the
        // caller's boolean mask as it is: LibTorch's fused attention took 37 ms per layer against 56 ms over the whole
        // capacity with an additive mask (Qwen2.5-0.5B, bf16, 16 prompts of 256). Built-in fp32 models keep their path.
        bool flopBound = FlopBound;
        bool ownKeys = cache is { Length: 0 } && t > 1 && flopBound;
        Tensor? attentionMask = cache is null ? mask                                                // [B, 1, T, L]
            : ownKeys ? mask?.narrow(3, 0, t)                                                        // [B, 1, T, T]
            : cache.AttentionBias(mask, t);                                                           // [B or 1, 1, T, capacity]
        bool causal = (cache is null || ownKeys) && mask is null && t > 1;
        // Packed: the projections and MLPs see only the N real positions; attention scatters them back into [B, T] rows.
        Tensor? packed = real is not null && flopBound ? real.reshape(b * t).nonzero().view(-1) : null;          // [N]
        var pass = new Pass(b, t, cos, sin, attentionMask, causal, cache, flopBound, ownKeys, packed);
        Tensor x = packed is null
            ? tokens.call(ids).view(b * t, Config.Dimension)                                                     // [B·T, C]
            : tokens.call(ids.reshape(b * t).index_select(0, packed));                                          // [N, C]
        for (int i = 0; i < blocks.Count; i++)
        {
            // A scope per block frees its intermediates when it ends, not when the caller's scope does:
            // otherwise a forward pass holds every layer's temporaries at once. (What backward needs, the
            // autograd graph keeps alive itself.)
            using var scope = NewDisposeScope();
            Tensor next = blocks[i].Forward(x, pass).MoveToOuterDisposeScope();          // [B·T, C]
            if (i > 0)
            {
                x.Dispose(); // the previous block's output, now inside its successor (or the graph)
            }

            x = next;
        }

        if (cache is not null)
        {
            cache.Length += t;
        }

        Tensor normalised = norm.call(x);                                               // [B·T or N, C]
        return packed is null ? normalised : Unpack(normalised, packed, b * t);         // [B·T, C]
    }

    /// <summary>Rows of <paramref name="packed"/> [N, W] back at their places among <paramref name="rows"/> zero rows: [rows, W].</summary>
    private static Tensor Unpack(Tensor packed, Tensor places, long rows) =>
        zeros(new[] { rows, packed.shape[1] }, packed.dtype, packed.device).index_copy_(0, places, packed);

    /// <summary>
    /// residual + x·Wᵀ. In fp32 one addmm (the GEMM adds the residual); in bf16 the GEMM, then an add: LibTorch's bf16
    /// addmm with a full-matrix addend leaves oneDNN's kernel (measured at batch 16, [16, 4864]·[4864, 896]: 1.25 ms
    /// against 0.73 ms for the two).
    /// </summary>
    private static Tensor AddProjection(Tensor x, Tensor weight, Tensor? residual) =>
        residual is not null && x.dtype == ScalarType.BFloat16 ? Product(x, weight, null).add_(residual) : functional.linear(x, weight, residual);

    /// <summary>x·Wᵀ + bias; a bf16 product of a few rows without gradients goes to MKL's bf16 kernel (<see cref="MklBf16Gemm"/>: 1.7-5x LibTorch's at one row).</summary>
    private static Tensor Product(Tensor x, Tensor weight, Tensor? bias) =>
        MklBf16Gemm.Applies(x, weight) ? MklBf16Gemm.Linear(x, weight, bias) : functional.linear(x, weight, bias);

    /// <summary>What every block of one forward pass shares.</summary>
    /// <param name="FlopBound">The model's <see cref="Transformer.FlopBound"/>: decode attention is written out per kv head.</param>
    /// <param name="OwnKeys">Attention reads only this pass's T keys of the cache (a prompt pass into an empty cache).</param>
    /// <param name="Packed">[N] indices of the real positions among the B·T when the residual stream holds only those, or null.</param>
    private sealed record Pass(long Batch, long Length, Tensor Cos, Tensor Sin, Tensor? Mask, bool Causal, KvCache? Cache, bool FlopBound, bool OwnKeys, Tensor? Packed);

    private sealed class Block : Module
    {
        private readonly RmsNorm attention_norm;
        private readonly Attention attention;
        private readonly RmsNorm mlp_norm;
        private readonly SwiGlu mlp;

        public Block(TransformerConfig config, int layer) : base($"block{layer}")
        {
            attention_norm = new RmsNorm(config.Dimension, config.NormEpsilon);
            attention = new Attention(config, layer);
            mlp_norm = new RmsNorm(config.Dimension, config.NormEpsilon);
            mlp = new SwiGlu(config);
            RegisterComponents();
        }

        /// <summary>x + attention(norm(x)), then x + mlp(norm(x)); x is [B·T, C].</summary>
        public Tensor Forward(Tensor x, Pass pass)
        {
            x = attention.Forward(attention_norm.call(x), x, pass);                      // [B·T, C]
            return mlp.Forward(mlp_norm.call(x), x);                                    // [B·T, C]
        }
    }

    private sealed class Attention : Module
    {
        private static readonly Scalar One = 1.0.ToScalar();
        private readonly Linear qkv;
        private readonly RmsNorm? q_norm;
        private readonly RmsNorm? k_norm;
        private readonly Linear @out;
        private readonly int _layer, _heads, _kvHeads, _headDimension;
        private readonly long[] _queryKeyValueHeads, _queryAndKeyValueHeads;

        public Attention(TransformerConfig config, int layer) : base("attention")
        {
            (_layer, _heads, _kvHeads, _headDimension) = (layer, config.Heads, config.KvHeads, config.HeadDimension);
            _queryKeyValueHeads = [config.Heads, config.KvHeads, config.KvHeads];
            _queryAndKeyValueHeads = [config.Heads, 2 * config.KvHeads];
            qkv = Linear(config.Dimension, (config.Heads + 2 * config.KvHeads) * config.HeadDimension, hasBias: config.AttentionBias);
            if (config.QueryKeyNorm)
            {
                q_norm = new RmsNorm(config.HeadDimension, config.NormEpsilon);
                k_norm = new RmsNorm(config.HeadDimension, config.NormEpsilon);
            }

            @out = Linear(config.Heads * config.HeadDimension, config.Dimension, hasBias: false);
            RegisterComponents();
        }

        /// <summary>residual + attention(x); x and residual are [B·T, C], or [N, C] when the pass is packed.</summary>
        public Tensor Forward(Tensor x, Tensor residual, Pass pass)
        {
            long b = pass.Batch, t = pass.Length;
            Tensor projected = Product(x, qkv.weight!, qkv.bias);                                        // [B·T or N, (H+2G)·D]
            if (pass.Packed is { } places)
            {
                projected = Unpack(projected, places, b * t);                                            // [B·T, (H+2G)·D]
            }

            Tensor parts = projected.view(b, t, _heads + 2 * _kvHeads, _headDimension);                // [B, T, H+2G, D]
            if (q_norm is not null)
            {
                parts = NormaliseQueriesAndKeys(parts);                                                   // [B, T, H+2G, D]
            }

            Tensor rotated = addcmul(parts * pass.Cos, parts.roll(_headDimension / 2, -1), pass.Sin, One) // [B, T, H+2G, D]
                .transpose(1, 2);                                                                        // [B, H+2G, T, D]
            // split, not narrow: its backward writes one gradient (a cat), where each narrow's writes a zero-filled copy.
            Tensor q, k, v;
            if (pass.Cache is { } cache)
            {
                Tensor[] parts2 = rotated.split(_queryAndKeyValueHeads, 1);                               // [B, H, T, D], [B, 2G, T, D]
                q = parts2[0];
                (k, v) = cache.Append(_layer, parts2[1], t);                                             // [B, G, capacity, D]
                if (pass.OwnKeys)
                {
                    (k, v) = (k.narrow(2, 0, t), v.narrow(2, 0, t));                                      // [B, G, T, D]
                }
            }
            else
            {
                Tensor[] parts3 = rotated.split(_queryKeyValueHeads, 1);                                  // [B, H or G, T, D]
                (q, k, v) = (parts3[0], parts3[1], parts3[2]);
            }

            if (t == 1 && pass.Cache is { } decoding && pass.FlopBound)
            {
                return AddProjection(Pack(DecodeAttention(q, k, v, pass.Mask!, decoding.Length + 1), pass), @out.weight!, residual); // [B or N, C]
            }

            if (_kvHeads != _heads)
            {
                k = k.repeat_interleave(_heads / _kvHeads, 1);                                          // [B, H, L, D]
                v = v.repeat_interleave(_heads / _kvHeads, 1);                                          // [B, H, L, D]
            }

            // is_causal is top-left aligned: right for a plain pass; with a cache the mask says who sees whom.
            Tensor y = functional.scaled_dot_product_attention(q, k, v, pass.Mask, 0.0, pass.Causal);  // [B, H, T, D]
            Tensor flat = t == 1 ? y.view(b, -1) : y.transpose(1, 2).reshape(b * t, -1);               // [B·T, H·D]
            return AddProjection(Pack(flat, pass), @out.weight!, residual);                             // [B·T or N, C] = residual + flat·Wᵀ
        }

        /// <summary>The real positions' rows of <paramref name="flat"/> [B·T, W] when the pass is packed: [N, W]; otherwise flat itself.</summary>
        private static Tensor Pack(Tensor flat, Pass pass) => pass.Packed is { } places ? flat.index_select(0, places) : flat;

        /// <summary>
        /// Attention of one new position per row over the <paramref name="filled"/> cached positions, written out: the
        /// <c>r = H/G</c> query heads that share a key-value head form one [r, D] block against that head's keys, so keys and
        /// values are neither repeated per query head nor read past what is written. Softmax in fp32. Measured at batch 16
        /// on Qwen2.5-0.5B's attention (14 heads, 2 kv heads, 288 positions): 0.6 ms against 5.3 ms for LibTorch's
        /// scaled_dot_product_attention in bf16 plus the repeat (0.9 against 1.8 ms in fp32). Used where it pays: grouped
        /// heads or a reduced precision. The built-in fp32 models (as many kv heads as heads) keep the fused kernel: at
        /// their size a step costs its number of operations, and their sampled tokens stay what they were.
        /// </summary>
        /// <param name="q">[B, H, 1, D] rotated queries.</param>
        /// <param name="k">[B, G, capacity, D] the cache's keys.</param>
        /// <param name="v">[B, G, capacity, D] the cache's values.</param>
        /// <param name="bias">[1 or B, 1, 1, capacity] additive mask (0 or −∞).</param>
        /// <returns>[B, H·D].</returns>
        private Tensor DecodeAttention(Tensor q, Tensor k, Tensor v, Tensor bias, long filled)
        {
            long b = q.shape[0], r = _heads / _kvHeads;
            Tensor keys = k.narrow(2, 0, filled), values = v.narrow(2, 0, filled);                     // [B, G, L, D]
            Tensor grouped = q.reshape(b, _kvHeads, r, _headDimension);                                 // [B, G, r, D]
            Tensor scores = grouped.matmul(keys.transpose(2, 3))                                        // [B, G, r, L]
                .mul_(1.0 / Math.Sqrt(_headDimension)).add_(bias.narrow(3, 0, filled));               // bias broadcasts over G and r
            Tensor probabilities = functional.softmax(scores, -1, ScalarType.Float32);                  // [B, G, r, L]
            if (probabilities.dtype != q.dtype)
            {
                probabilities = probabilities.to(q.dtype);
            }

            return probabilities.matmul(values).view(b, _heads * _headDimension);                      // [B, H·D]
        }

        /// <summary>Qwen3's per-head RMSNorm of q and k (before the rotation); v passes through. parts is [B, T, H+2G, D].</summary>
        private Tensor NormaliseQueriesAndKeys(Tensor parts)
        {
            Tensor queriesAndKeys = parts.narrow(2, 0, _heads + _kvHeads);                               // [B, T, H+G, D]
            Tensor weights = cat(new[] { q_norm!.Weight.expand(_heads, -1), k_norm!.Weight.expand(_kvHeads, -1) }, 0); // [H+G, D]
            Tensor normalised = q_norm.Normalise(queriesAndKeys) * weights;                               // [B, T, H+G, D]
            return cat(new[] { normalised, parts.narrow(2, _heads + _kvHeads, _kvHeads) }, 2);          // [B, T, H+2G, D]
        }
    }

    private sealed class SwiGlu : Module<Tensor, Tensor>
    {
        private readonly Linear gate_up;
        private readonly Linear down;
        private readonly long _hidden;

        public SwiGlu(TransformerConfig config) : base("mlp")
        {
            _hidden = config.HiddenDimension;
            gate_up = Linear(config.Dimension, 2 * config.HiddenDimension, hasBias: false);
            down = Linear(config.HiddenDimension, config.Dimension, hasBias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => Forward(x, null);

        /// <summary>residual + down(silu(gate) · up); x and residual are [B·T, C].</summary>
        public Tensor Forward(Tensor x, Tensor? residual)
        {
            Tensor[] gateUp = Product(x, gate_up.weight!, null).split(_hidden, -1);     // 2 × [B·T, hidden]; split: see Attention
            // Without gradients, in place in the gate half of the projection's output: two [B·T, hidden] temporaries fewer
            // (320 MB at a fp32 prefill of 16 × 256 positions on Qwen2.5-0.5B); the same operations, the same numbers.
            Tensor h = is_grad_enabled()
                ? functional.silu(gateUp[0]) * gateUp[1]                                // [B·T, hidden]
                : functional.silu(gateUp[0], inplace: true).mul_(gateUp[1]);            // [B·T, hidden]
            return AddProjection(h, down.weight!, residual);                           // [B·T, C]
        }
    }

    private sealed class RmsNorm : Module<Tensor, Tensor>
    {
        private static readonly long[] LastDimension = [-1];
        private readonly Parameter weight;
        private readonly Scalar _epsilon;

        public RmsNorm(int dimension, double epsilon) : base("norm")
        {
            weight = Parameter(ones(dimension));
            _epsilon = epsilon.ToScalar(); // once: an implicit Scalar per call is a native object left to the finaliser
            RegisterComponents();
        }

        public Parameter Weight => weight;

        public override Tensor forward(Tensor x) => Normalise(x) * weight; // [.., C]

        /// <summary>
        /// x / rms(x) over the last dimension, before the weight. x·x, not pow(x, 2): the same value (pow special-cases 2)
        /// without a Scalar per call. A bf16 or fp16 x is normalised in fp32 and cast back, as transformers' Llama, Qwen2
        /// and Qwen3 norms do: the statistics of a 896-wide row are not summed in 8 bits of mantissa.
        /// </summary>
        public Tensor Normalise(Tensor x)
        {
            Tensor wide = x.dtype == ScalarType.Float32 ? x : x.to(ScalarType.Float32);                 // [.., C]
            Tensor normalised = wide * (wide * wide).mean(LastDimension, keepdim: true).add_(_epsilon).rsqrt_(); // [.., C]
            return normalised.dtype == x.dtype ? normalised : normalised.to(x.dtype);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _epsilon.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
