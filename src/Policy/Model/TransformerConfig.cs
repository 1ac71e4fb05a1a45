using System.Text.Json.Serialization;

namespace Reasoning.Policy.Model;

/// <summary>
/// The shape of a decoder-only, Llama-style transformer: RMSNorm, rotary positions, SwiGLU,
/// optional grouped-query attention and tied embeddings; and the variations of the Hugging Face
/// families it loads (Qwen2's q/k/v bias, Qwen3's per-head q/k norm and explicit head size,
/// Llama 3's rotary scaling). Immutable; presets for the CPU sizes.
/// </summary>
/// <param name="VocabularySize">Token ids are 0..VocabularySize-1.</param>
/// <param name="Dimension">Width of the residual stream (d_model, HF <c>hidden_size</c>).</param>
/// <param name="Layers">Number of transformer blocks.</param>
/// <param name="Heads">Query heads.</param>
/// <param name="KvHeads">Key/value heads; <see cref="Heads"/> must be a multiple (fewer = grouped-query attention).</param>
/// <param name="HiddenDimension">Width of the SwiGLU MLP (HF <c>intermediate_size</c>).</param>
/// <param name="MaxSequenceLength">Longest sequence (prompt plus generation) the rotary table and caches cover.</param>
/// <param name="TiedEmbeddings">The output projection reuses the token embedding.</param>
/// <param name="RopeTheta">Base of the rotary frequencies.</param>
/// <param name="NormEpsilon">RMSNorm's epsilon.</param>
/// <param name="AttentionBias">The q, k and v projections have a bias (Qwen2); the output projection never does.</param>
/// <param name="QueryKeyNorm">An RMSNorm over each head of q and of k before the rotation (Qwen3).</param>
/// <param name="ExplicitHeadDimension">The size of a head when it is not <see cref="Dimension"/> / <see cref="Heads"/> (HF <c>head_dim</c>, as Qwen3 writes it); 0 derives it.</param>
/// <param name="RopeScaling">How rotary frequencies are rescaled for long contexts (Llama 3.1+), or null.</param>
/// <remarks>
/// The fields after <see cref="NormEpsilon"/> are left out of a checkpoint's JSON while they hold their defaults,
/// so the content hash of every model saved before they existed is unchanged.
/// </remarks>
public sealed record TransformerConfig(
    int VocabularySize,
    int Dimension,
    int Layers,
    int Heads,
    int KvHeads,
    int HiddenDimension,
    int MaxSequenceLength = 256,
    bool TiedEmbeddings = true,
    double RopeTheta = 10_000,
    double NormEpsilon = 1e-5,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool AttentionBias = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool QueryKeyNorm = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int ExplicitHeadDimension = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] RopeScaling? RopeScaling = null)
{
    /// <summary>About 1M parameters: a single task step is learnable, a fine-tune takes a minute or two.</summary>
    public static TransformerConfig Tiny(int vocabularySize) => new(vocabularySize, Dimension: 128, Layers: 5, Heads: 4, KvHeads: 4, HiddenDimension: 352);

    /// <summary>About 10M parameters.</summary>
    public static TransformerConfig Small(int vocabularySize) => new(vocabularySize, Dimension: 384, Layers: 6, Heads: 6, KvHeads: 6, HiddenDimension: 1024);

    /// <summary>A preset by name: <c>tiny</c> or <c>small</c>.</summary>
    public static TransformerConfig Preset(string name, int vocabularySize) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny(vocabularySize),
        "small" => Small(vocabularySize),
        _ => throw new ArgumentException($"unknown policy preset '{name}'; known presets: tiny, small", nameof(name)),
    };

    /// <summary>The size of one attention head: <see cref="ExplicitHeadDimension"/> when set, else <see cref="Dimension"/> / <see cref="Heads"/>.</summary>
    public int HeadDimension => ExplicitHeadDimension > 0 ? ExplicitHeadDimension : Dimension / Heads;

    /// <summary>Throws a clear error for shapes the model cannot take.</summary>
    public TransformerConfig Validate()
    {
        Check(VocabularySize > 0, $"vocabulary size must be positive, not {VocabularySize}");
        Check(Dimension > 0 && Layers > 0 && Heads > 0 && KvHeads > 0 && HiddenDimension > 0, "every size must be positive");
        Check(ExplicitHeadDimension >= 0, $"explicit head dimension must be positive, or 0 to derive it, not {ExplicitHeadDimension}");
        Check(ExplicitHeadDimension > 0 || Dimension % Heads == 0, $"dimension {Dimension} must be a multiple of heads {Heads}");
        Check(Heads % KvHeads == 0, $"heads {Heads} must be a multiple of kv heads {KvHeads}");
        Check(HeadDimension % 2 == 0, $"head dimension {HeadDimension} must be even for rotary positions");
        Check(MaxSequenceLength > 1, $"max sequence length must exceed 1, not {MaxSequenceLength}");
        Check(RopeTheta > 0, $"rope theta must be positive, not {RopeTheta}");
        Check(NormEpsilon > 0, $"norm epsilon must be positive, not {NormEpsilon}");
        if (RopeScaling is { } scaling && scaling.Validate() is { } problem)
        {
            Check(false, problem);
        }

        return this;

        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException("invalid transformer config: " + message);
            }
        }
    }

    /// <summary>Parameters of one block's matrix multiplications: q, k, v, o and the SwiGLU's gate, up and down.</summary>
    public long MatmulParametersPerLayer =>
        (long)Dimension * (Heads * HeadDimension) * 2 + (long)Dimension * (KvHeads * HeadDimension) * 2 + 3L * Dimension * HiddenDimension;

    /// <summary>Parameters per block: the matrix multiplications, two norms, and the q/k/v biases and q/k norms where the config has them.</summary>
    public long ParametersPerLayer =>
        MatmulParametersPerLayer + 2L * Dimension
        + (AttentionBias ? (long)(Heads + 2 * KvHeads) * HeadDimension : 0)
        + (QueryKeyNorm ? 2L * HeadDimension : 0);

    /// <summary>Every parameter: embedding, blocks, final norm, and the output projection unless tied.</summary>
    public long ParameterCount =>
        (long)VocabularySize * Dimension + Layers * ParametersPerLayer + Dimension + (TiedEmbeddings ? 0 : (long)VocabularySize * Dimension);

    /// <summary>Parameters that take part in the matrix multiplications of one token (all but the embedding lookup, norms and biases).</summary>
    public long MatmulParameters => Layers * MatmulParametersPerLayer + (long)VocabularySize * Dimension;

    /// <summary>
    /// Forward FLOPs for one token that attends to <paramref name="context"/> positions:
    /// 2 × matmul parameters, plus the attention term 2 × 2 × layers × heads × head dim × context
    /// (scores and weighted values; Kaplan et al. 2020, "Scaling Laws", table 1). Backward costs twice this.
    /// </summary>
    public double ForwardFlopsPerToken(double context) => ForwardFlops(1, context);

    /// <summary>
    /// The one FLOP count of this project for forward passes: <paramref name="tokens"/> tokens whose
    /// attention spans add up to <paramref name="attendedPositions"/> (a causal pass over T tokens
    /// attends T(T+1)/2 positions; one decode step at length L attends L). Training is 3 × this.
    /// </summary>
    public double ForwardFlops(long tokens, double attendedPositions) =>
        2.0 * MatmulParameters * tokens + 4.0 * Layers * Heads * HeadDimension * attendedPositions;
}

/// <summary>
/// A rescaling of the rotary frequencies (Hugging Face <c>rope_scaling</c>).
/// <c>llama3</c> (Llama 3.1+, transformers' <c>_compute_llama3_parameters</c>): a frequency whose
/// wavelength 2π/f is longer than <see cref="OriginalMaxPositions"/> / <see cref="LowFrequencyFactor"/> is
/// divided by <see cref="Factor"/>, one shorter than <see cref="OriginalMaxPositions"/> / <see cref="HighFrequencyFactor"/>
/// is kept, and those between are interpolated with s = (orig / wavelength − low) / (high − low):
/// (1 − s)·f/factor + s·f. <c>linear</c> (position interpolation, Chen et al. 2023): every frequency divided by
/// <see cref="Factor"/>.
/// </summary>
public sealed record RopeScaling(string Type, double Factor, double LowFrequencyFactor = 1, double HighFrequencyFactor = 4, int OriginalMaxPositions = 8192)
{
    /// <summary>The types this build applies.</summary>
    public static readonly IReadOnlyList<string> KnownTypes = ["llama3", "linear"];

    /// <summary>A problem with the values, or null.</summary>
    public string? Validate() =>
        !KnownTypes.Contains(Type) ? $"rope scaling type '{Type}' is not one of {string.Join(", ", KnownTypes)}"
        : Factor <= 0 ? $"rope scaling factor must be positive, not {Factor}"
        : Type == "llama3" && !(HighFrequencyFactor > LowFrequencyFactor && LowFrequencyFactor > 0)
            ? $"llama3 rope scaling needs 0 < low_freq_factor < high_freq_factor, not {LowFrequencyFactor} and {HighFrequencyFactor}"
        : Type == "llama3" && OriginalMaxPositions <= 0 ? $"llama3 rope scaling needs a positive original_max_position_embeddings, not {OriginalMaxPositions}"
        : null;

    /// <summary>Applies the rescaling to the inverse frequencies of one head.</summary>
    public double[] Apply(double[] inverseFrequencies) => Type switch
    {
        "linear" => inverseFrequencies.Select(f => f / Factor).ToArray(),
        _ => inverseFrequencies.Select(Llama3).ToArray(),
    };

    private double Llama3(double frequency)
    {
        double wavelength = 2 * Math.PI / frequency;
        double lowWavelength = OriginalMaxPositions / LowFrequencyFactor, highWavelength = OriginalMaxPositions / HighFrequencyFactor;
        if (wavelength < highWavelength)
        {
            return frequency;
        }

        if (wavelength > lowWavelength)
        {
            return frequency / Factor;
        }

        double smooth = (OriginalMaxPositions / wavelength - LowFrequencyFactor) / (HighFrequencyFactor - LowFrequencyFactor);
        return (1 - smooth) * frequency / Factor + smooth * frequency;
    }
}
