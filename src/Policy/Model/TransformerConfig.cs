namespace Reasoning.Policy.Model;

/// <summary>
/// The shape of a decoder-only, Llama-style transformer: RMSNorm, rotary positions, SwiGLU,
/// optional grouped-query attention and tied embeddings. Immutable; presets for the CPU sizes.
/// </summary>
/// <param name="VocabularySize">Token ids are 0..VocabularySize-1.</param>
/// <param name="Dimension">Width of the residual stream (d_model).</param>
/// <param name="Layers">Number of transformer blocks.</param>
/// <param name="Heads">Query heads; <see cref="Dimension"/> must be a multiple.</param>
/// <param name="KvHeads">Key/value heads; <see cref="Heads"/> must be a multiple (fewer = grouped-query attention).</param>
/// <param name="HiddenDimension">Width of the SwiGLU MLP.</param>
/// <param name="MaxSequenceLength">Longest sequence (prompt plus generation) the rotary table and caches cover.</param>
/// <param name="TiedEmbeddings">The output projection reuses the token embedding.</param>
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
    double NormEpsilon = 1e-5)
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

    public int HeadDimension => Dimension / Heads;

    /// <summary>Throws a clear error for shapes the model cannot take.</summary>
    public TransformerConfig Validate()
    {
        Check(VocabularySize > 0, $"vocabulary size must be positive, not {VocabularySize}");
        Check(Dimension > 0 && Layers > 0 && Heads > 0 && KvHeads > 0 && HiddenDimension > 0, "every size must be positive");
        Check(Dimension % Heads == 0, $"dimension {Dimension} must be a multiple of heads {Heads}");
        Check(Heads % KvHeads == 0, $"heads {Heads} must be a multiple of kv heads {KvHeads}");
        Check(HeadDimension % 2 == 0, $"head dimension {HeadDimension} must be even for rotary positions");
        Check(MaxSequenceLength > 1, $"max sequence length must exceed 1, not {MaxSequenceLength}");
        return this;

        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException("invalid transformer config: " + message);
            }
        }
    }

    /// <summary>Parameters per block: attention (q, k, v, o), SwiGLU (gate, up, down), two norms.</summary>
    public long ParametersPerLayer =>
        (long)Dimension * (Heads * HeadDimension) * 2 + (long)Dimension * (KvHeads * HeadDimension) * 2
        + 3L * Dimension * HiddenDimension + 2L * Dimension;

    /// <summary>Every parameter: embedding, blocks, final norm, and the output projection unless tied.</summary>
    public long ParameterCount =>
        (long)VocabularySize * Dimension + Layers * ParametersPerLayer + Dimension + (TiedEmbeddings ? 0 : (long)VocabularySize * Dimension);

    /// <summary>Parameters that take part in the matrix multiplications of one token (all but the embedding lookup and norms).</summary>
    public long MatmulParameters => Layers * (ParametersPerLayer - 2L * Dimension) + (long)VocabularySize * Dimension;

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
