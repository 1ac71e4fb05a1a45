using Reasoning.Policy.Model;

namespace Reasoning.Policy.Accounting;

/// <summary>Where the memory of a model at work goes, in bytes.</summary>
/// <param name="Weights">Parameters (twice over when a frozen reference copy is kept, as GRPO does).</param>
/// <param name="Gradients">One gradient per trainable parameter, in the parameters' precision.</param>
/// <param name="OptimizerState">Per-parameter optimizer state (AdamW: two moments).</param>
/// <param name="Activations">Training: tensors saved for backward, logits included. Inference: the largest live buffers of a forward pass.</param>
/// <param name="KvCache">Keys and values of every layer (inference only).</param>
public sealed record MemoryBreakdown(long Weights, long Gradients, long OptimizerState, long Activations, long KvCache)
{
    public long Total => checked(Weights + Gradients + OptimizerState + Activations + KvCache);
}

/// <summary>The optimizer whose state a training estimate counts.</summary>
public enum OptimizerKind
{
    /// <summary>Plain SGD: no state.</summary>
    Sgd,

    /// <summary>SGD with momentum: one fp32 buffer per parameter.</summary>
    SgdMomentum,

    /// <summary>AdamW (Loshchilov &amp; Hutter 2019): two fp32 moments per parameter.</summary>
    AdamW,
}

/// <summary>
/// Analytic memory estimates for the Llama-style <see cref="Transformer"/>: pure arithmetic on the
/// <see cref="TransformerConfig"/>, so they can be evaluated for any model size, not only for models that
/// fit on this machine, and reported beside the measured peaks. Notation: b batch, s sequence length,
/// h = <see cref="TransformerConfig.Dimension"/>, a = heads, g = kv heads, d = head dimension,
/// f = <see cref="TransformerConfig.HiddenDimension"/>, V vocabulary, L layers, P parameters, p bytes per value.
/// <para>
/// Worked examples (tested exactly in <c>MemoryEstimateTests</c>):
/// </para>
/// <para>
/// <c>TransformerConfig.Tiny(32)</c> (h 128, L 5, a = g = 4, f 352, tied; P = 1,009,024), b 8, s 256, fp32 (p 4):
/// inference: weights 4,036,096 + KV cache 2·5·4·32·256·8·4 = 10,485,760 + activations 8·256·(128 + max(704, 32))·4
/// = 6,815,744, total 21,337,600. Training with AdamW: weights 4,036,096 + gradients 4,036,096 + AdamW
/// 2·P·4 = 8,072,192 + activations 5·4·(16·256·8·128 + 4·256²·8) + 2·4·256·8·128 + 4·256·8·32
/// = 125,829,120 + 2,097,152 + 262,144 = 128,188,416, total 144,332,800 (with a frozen reference copy, 148,368,896).
/// </para>
/// <para>
/// A Llama-2-7B shape (V 32,000, h 4,096, L 32, a = g = 32, f 11,008, untied; P = 6,738,415,616), b 1,
/// s 4,096, bf16 (p 2): inference: weights 13,476,831,232 + KV cache 2·32·32·128·4096·2 = 2,147,483,648
/// + activations 4096·(4096 + 32,000)·2 = 295,698,432, total 15,920,013,312. Training with AdamW:
/// weights 13,476,831,232 + gradients 13,476,831,232 + AdamW 53,907,324,928 + activations
/// 32·1,610,612,736 + 67,108,864 + 524,288,000 = 52,131,004,416, total 132,991,991,808.
/// </para>
/// </summary>
public static class MemoryEstimate
{
    /// <summary>Bytes of one optimizer state value: fp32, the mixed-precision convention.</summary>
    public const int OptimizerStateBytes = 4;

    /// <summary>Bytes of one logit in the loss: the cross-entropy runs in fp32.</summary>
    public const int LossLogitBytes = 4;

    /// <summary>
    /// Generating with a KV cache: weights, the cache, and the largest live buffers of a prefill over the
    /// whole sequence (a decode step is the same with s = 1, so the prefill bounds it).
    /// <list type="bullet">
    /// <item>weights: P·p</item>
    /// <item>KV cache: 2 (keys, values) · L · g · d · s · b · p</item>
    /// <item>activations: b · s · (h + max(2f, V)) · p: the residual stream, plus the larger of the MLP's fused
    /// gate/up output [b, s, 2f] and the logits [b, s, V]. Attention scores are not counted (fused attention
    /// does not materialise them), nor temporaries that an implementation keeps alive longer than needed.</item>
    /// </list>
    /// </summary>
    /// <param name="config">The model shape.</param>
    /// <param name="batch">Sequences generated together (b).</param>
    /// <param name="sequenceLength">Prompt plus generated tokens per sequence (s).</param>
    /// <param name="bytesPerParameter">Bytes per weight, cache and activation value: 4 for fp32, 2 for bf16.</param>
    public static MemoryBreakdown Inference(TransformerConfig config, int batch, int sequenceLength, int bytesPerParameter)
    {
        Check(batch, sequenceLength, bytesPerParameter);
        checked
        {
            long b = batch, s = sequenceLength, p = bytesPerParameter;
            long weights = config.ParameterCount * p;
            long kvCache = 2L * config.Layers * config.KvHeads * config.HeadDimension * s * b * p;
            long activations = b * s * (config.Dimension + Math.Max(2L * config.HiddenDimension, config.VocabularySize)) * p;
            return new MemoryBreakdown(weights, 0, 0, activations, kvCache);
        }
    }

    /// <summary>
    /// One training step (forward, backward, optimizer step), in the precision of the weights:
    /// <list type="bullet">
    /// <item>weights: P·p, doubled when <paramref name="trainableCopyPlusFrozenReference"/> (GRPO's reference model)</item>
    /// <item>gradients: P·p</item>
    /// <item>optimizer state: AdamW 2·P·4, SGD with momentum P·4, SGD 0 (fp32 states, the mixed-precision
    /// convention; TorchSharp's AdamW allocates its moments like the parameters, so pure-bf16 training with
    /// it holds half of this, and a mixed-precision fp32 master copy of the weights is not counted)</item>
    /// <item>activations: L · <see cref="LayerActivationBytes"/> + 2·s·b·h·p (the final norm's and the output
    /// projection's inputs) + 4·s·b·V (fp32 logits of the cross-entropy), after Korthikanti et al. 2022, §4.1 and §4.3</item>
    /// </list>
    /// </summary>
    /// <param name="config">The model shape.</param>
    /// <param name="batch">Sequences per step (b).</param>
    /// <param name="sequenceLength">Tokens per sequence (s).</param>
    /// <param name="bytesPerParameter">Bytes per weight, gradient and activation value: 4 for fp32, 2 for bf16.</param>
    /// <param name="optimizer">Whose state to count.</param>
    /// <param name="trainableCopyPlusFrozenReference">A second, frozen copy of the weights is kept (GRPO's KL reference).</param>
    public static MemoryBreakdown Training(
        TransformerConfig config, int batch, int sequenceLength, int bytesPerParameter, OptimizerKind optimizer, bool trainableCopyPlusFrozenReference = false)
    {
        Check(batch, sequenceLength, bytesPerParameter);
        checked
        {
            long b = batch, s = sequenceLength, p = bytesPerParameter, parameters = config.ParameterCount;
            long weights = parameters * p * (trainableCopyPlusFrozenReference ? 2 : 1);
            long gradients = parameters * p;
            long optimizerState = optimizer switch
            {
                OptimizerKind.Sgd => 0,
                OptimizerKind.SgdMomentum => parameters * OptimizerStateBytes,
                OptimizerKind.AdamW => 2 * parameters * OptimizerStateBytes,
                _ => throw new ArgumentOutOfRangeException(nameof(optimizer), optimizer, "unknown optimizer"),
            };
            long layers = config.Layers * LayerActivationBytes(s, b, config.Dimension, config.Heads, bytesPerParameter, dropout: false);
            long head = 2 * s * b * config.Dimension * p;
            long logits = s * b * config.VocabularySize * LossLogitBytes;
            return new MemoryBreakdown(weights, gradients, optimizerState, layers + head + logits, 0);
        }
    }

    /// <summary>
    /// Activations one transformer layer saves for backward, after Korthikanti et al. 2022, "Reducing
    /// Activation Recomputation in Large Transformer Models", §4.1: s·b·h·(34 + 5·a·s/h) bytes with 16-bit
    /// activations and 1-byte dropout masks. Of those, 32·s·b·h + 4·a·s²·b bytes are 16-bit values
    /// (2·a·s²·b of them the attention dropout's output) and 2·s·b·h + a·s²·b bytes are dropout masks.
    /// <para>
    /// Adaptation: values take <paramref name="bytesPerValue"/> bytes instead of 2, masks stay at one byte.
    /// Our transformer has no dropout, so masks and the dropout output go, leaving 16·s·b·h + a·s²·b values:
    /// p·s·b·h·(16 + a·s/h) bytes (fp32: 64·s·b·h + 4·a·s²·b). With dropout at p = 2 this is the paper's
    /// figure exactly.
    /// </para>
    /// <para>
    /// Known differences from the layer the paper counts, left as they are: grouped-query attention stores
    /// smaller keys and values (an overcount when g &lt; a); a SwiGLU MLP of width f stores about h + 4f
    /// values where the paper's GeLU MLP of width 4h stores 9h (an undercount of about 3h per token when
    /// f ≈ 2.7h); the score term a·s²·b assumes the softmax output is stored, which fused attention kernels
    /// avoid (then it is an overcount: for the 7B example above, two thirds of the layer's figure).
    /// </para>
    /// </summary>
    internal static long LayerActivationBytes(long s, long b, long h, long a, int bytesPerValue, bool dropout)
    {
        checked
        {
            long values = 16 * s * b * h + (dropout ? 2 : 1) * a * s * s * b;
            long masks = dropout ? 2 * s * b * h + a * s * s * b : 0;
            return bytesPerValue * values + masks;
        }
    }

    private static void Check(int batch, int sequenceLength, int bytesPerParameter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequenceLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerParameter, 1);
    }
}
