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

    /// <summary>Where the weights live.</summary>
    public Device Device => tokens.weight!.device;

    /// <summary>A model with weights drawn from <paramref name="seed"/>: N(0, 0.02), residual outputs scaled by 1/√(2·layers) (GPT-2).</summary>
    public Transformer(TransformerConfig config, long seed) : base("transformer")
    {
        Config = config.Validate();
        tokens = Embedding(config.VocabularySize, config.Dimension);
        blocks = new ModuleList<Block>(Enumerable.Range(0, config.Layers).Select(i => new Block(config, i)).ToArray());
        norm = new RmsNorm(config.Dimension, config.NormEpsilon);
        output = config.TiedEmbeddings ? null : Linear(config.Dimension, config.VocabularySize, hasBias: false);
        RegisterComponents();
        // After RegisterComponents, which would register tensor fields as persistent buffers.
        (ropeCos, ropeSin) = RotaryTable(config);
        Initialise(seed);

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

    /// <summary>cos and sin of position × frequency, [max length, D/2].</summary>
    private static (Tensor Cos, Tensor Sin) RotaryTable(TransformerConfig config)
    {
        using var scope = NewDisposeScope();
        int half = config.HeadDimension / 2;
        Tensor frequencies = pow(config.RopeTheta, -arange(0, half, dtype: float64) * 2.0 / config.HeadDimension); // [D/2]
        Tensor angles = outer(arange(config.MaxSequenceLength, dtype: float64), frequencies);                      // [Tmax, D/2]
        return (angles.cos().to(float32).DetachFromDisposeScope(), angles.sin().to(float32).DetachFromDisposeScope());
    }

    /// <summary>
    /// Logits for every new position. <paramref name="mask"/> is [B, 1, T, L] (true = may attend) or
    /// null: then attention is causal over the T new positions, or over everything cached when T = 1.
    /// </summary>
    /// <param name="ids">[B, T] token ids.</param>
    /// <param name="positions">[B, T] rotary positions (long).</param>
    /// <param name="mask">[B, 1, T, L] boolean, or null.</param>
    /// <param name="cache">Keys and values to extend, or null for a plain forward pass.</param>
    /// <returns>[B, T, V] logits.</returns>
    public Tensor Forward(Tensor ids, Tensor positions, Tensor? mask = null, KvCache? cache = null)
    {
        long b = ids.shape[0], t = ids.shape[1];
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

        ScalarType dtype = Dtype;
        Tensor cos = ropeCos.index_select(0, positions.flatten()).view(b, 1, t, -1).to(dtype);  // [B, 1, T, D/2]
        Tensor sin = ropeSin.index_select(0, positions.flatten()).view(b, 1, t, -1).to(dtype);  // [B, 1, T, D/2]
        Tensor x = tokens.call(ids);                                                  // [B, T, C]
        for (int i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].Forward(x, cos, sin, mask, cache);                          // [B, T, C]
        }

        if (cache is not null)
        {
            cache.Length += t;
        }

        x = norm.call(x);                                                             // [B, T, C]
        return output is null ? functional.linear(x, tokens.weight!) : output.call(x); // [B, T, V]
    }

    /// <summary>Rotates pairs (x[i], x[i + D/2]) by position-dependent angles.</summary>
    internal static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        Tensor[] halves = x.chunk(2, -1);                                             // 2 × [B, H, T, D/2]
        return cat(new[] { halves[0] * cos - halves[1] * sin, halves[0] * sin + halves[1] * cos }, -1); // [B, H, T, D]
    }

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

        public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
        {
            x = x + attention.Forward(attention_norm.call(x), cos, sin, mask, cache);  // [B, T, C]
            return x + mlp.call(mlp_norm.call(x));                                     // [B, T, C]
        }
    }

    private sealed class Attention : Module
    {
        private readonly Linear qkv;
        private readonly Linear @out;
        private readonly int _layer, _heads, _kvHeads, _headDimension;

        public Attention(TransformerConfig config, int layer) : base("attention")
        {
            (_layer, _heads, _kvHeads, _headDimension) = (layer, config.Heads, config.KvHeads, config.HeadDimension);
            qkv = Linear(config.Dimension, (config.Heads + 2 * config.KvHeads) * config.HeadDimension, hasBias: false);
            @out = Linear(config.Heads * config.HeadDimension, config.Dimension, hasBias: false);
            RegisterComponents();
        }

        public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
        {
            long b = x.shape[0], t = x.shape[1];
            Tensor[] parts = qkv.call(x).split(new[] { (long)_heads * _headDimension, (long)_kvHeads * _headDimension, (long)_kvHeads * _headDimension }, -1);
            Tensor q = Rotate(parts[0].view(b, t, _heads, _headDimension).transpose(1, 2), cos, sin);   // [B, H, T, D]
            Tensor k = Rotate(parts[1].view(b, t, _kvHeads, _headDimension).transpose(1, 2), cos, sin); // [B, G, T, D]
            Tensor v = parts[2].view(b, t, _kvHeads, _headDimension).transpose(1, 2);                   // [B, G, T, D]
            if (cache is not null)
            {
                (k, v) = cache.Append(_layer, k, v);                                                    // [B, G, L, D]
            }

            if (_kvHeads != _heads)
            {
                k = k.repeat_interleave(_heads / _kvHeads, 1);                                          // [B, H, L, D]
                v = v.repeat_interleave(_heads / _kvHeads, 1);                                          // [B, H, L, D]
            }

            // is_causal is top-left aligned: right for a plain pass, wrong for one query over a cache.
            Tensor y = functional.scaled_dot_product_attention(q, k, v, mask, 0.0, mask is null && t > 1); // [B, H, T, D]
            return @out.call(y.transpose(1, 2).reshape(b, t, _heads * _headDimension));                // [B, T, C]
        }
    }

    private sealed class SwiGlu : Module<Tensor, Tensor>
    {
        private readonly Linear gate_up;
        private readonly Linear down;

        public SwiGlu(TransformerConfig config) : base("mlp")
        {
            gate_up = Linear(config.Dimension, 2 * config.HiddenDimension, hasBias: false);
            down = Linear(config.HiddenDimension, config.Dimension, hasBias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Tensor[] gateUp = gate_up.call(x).chunk(2, -1);                            // 2 × [B, T, hidden]
            return down.call(functional.silu(gateUp[0]) * gateUp[1]);                  // [B, T, C]
        }
    }

    private sealed class RmsNorm : Module<Tensor, Tensor>
    {
        private readonly Parameter weight;
        private readonly double _epsilon;

        public RmsNorm(int dimension, double epsilon) : base("norm")
        {
            weight = Parameter(ones(dimension));
            _epsilon = epsilon;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) =>
            x * (x.pow(2).mean(new long[] { -1 }, keepdim: true) + _epsilon).rsqrt() * weight; // [B, T, C]
    }
}
