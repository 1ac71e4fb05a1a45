using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Policy.Pretrained;

/// <summary>
/// Named shapes of Hugging Face models, for random model folders the project makes itself (no weights can be
/// downloaded on its machines): a tiny one for smoke runs, and the real shapes of small published models for
/// benchmarks. The real shapes are copied from the models' published config.json files.
/// </summary>
public static class ModelShapes
{
    /// <summary>The byte tokenizer's ids, padded to a multiple of 64 as Hugging Face models pad their embeddings.</summary>
    private static int ByteVocabulary => (ByteTokenizerFiles.VocabularySize + 63) / 64 * 64;

    /// <summary>The names <see cref="Get"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tiny-qwen2", "tiny-qwen3", "tiny-llama3", "qwen2.5-0.5b", "qwen3-0.6b", "llama3.2-1b"];

    /// <summary>The family and shape of a name in <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static HfModelConfig Get(string name) => name switch
    {
        "tiny-qwen2" => Config(ModelFamily.Qwen2, new(ByteVocabulary, 64, 2, 4, 2, 128, 2048, true, 1e6, 1e-6, AttentionBias: true)),
        "tiny-qwen3" => Config(ModelFamily.Qwen3, new(ByteVocabulary, 64, 2, 4, 2, 128, 2048, true, 1e6, 1e-6, QueryKeyNorm: true, ExplicitHeadDimension: 32)),
        "tiny-llama3" => Config(ModelFamily.Llama, new(ByteVocabulary, 64, 2, 4, 2, 128, 2048, true, 500_000, 1e-5, RopeScaling: new RopeScaling("llama3", 32, 1, 4, 8192))),
        // Qwen/Qwen2.5-0.5B-Instruct
        "qwen2.5-0.5b" => Config(ModelFamily.Qwen2, new(151_936, 896, 24, 14, 2, 4864, 32_768, true, 1e6, 1e-6, AttentionBias: true)),
        // Qwen/Qwen3-0.6B
        "qwen3-0.6b" => Config(ModelFamily.Qwen3, new(151_936, 1024, 28, 16, 8, 3072, 40_960, true, 1e6, 1e-6, QueryKeyNorm: true, ExplicitHeadDimension: 128)),
        // meta-llama/Llama-3.2-1B-Instruct
        "llama3.2-1b" => Config(ModelFamily.Llama, new(128_256, 2048, 16, 32, 8, 8192, 131_072, true, 500_000, 1e-5, RopeScaling: new RopeScaling("llama3", 32, 1, 4, 8192))),
        _ => throw new ArgumentException($"unknown model shape '{name}'; known shapes: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>The shape's max_position_embeddings is kept for config.json; the model in memory covers the loader's default context.</summary>
    private static HfModelConfig Config(ModelFamily family, TransformerConfig shape) =>
        new(family, (shape with { MaxSequenceLength = Math.Min(shape.MaxSequenceLength, HfModelConfig.DefaultContextLength) }).Validate(),
            shape.MaxSequenceLength, BeginId: null, EndIds: [], PaddingId: null, StoredDtype: null);

    /// <summary>
    /// Writes a model folder with random weights (drawn from <paramref name="seed"/>, as <see cref="Transformer"/> draws
    /// them) in the shape's exact Hugging Face layout, with the byte tokenizer (<see cref="ByteTokenizerFiles"/>) or the
    /// tokenizer files of <paramref name="tokenizerFolder"/>.
    /// </summary>
    public static void WriteRandom(string folder, HfModelConfig shape, long seed, string? tokenizerFolder = null, TorchSharp.torch.ScalarType? dtype = null)
    {
        int endId = tokenizerFolder is null ? 256 + 2 : HfTokenizer.Load(tokenizerFolder).EndId ?? 0;
        HfModelConfig described = shape with { EndIds = [endId] };
        using (var model = new Transformer(shape.Model, seed))
        {
            ModelFolder.Save(folder, model, sourceFolder: tokenizerFolder, dtype: dtype ?? TorchSharp.torch.ScalarType.Float32, config: described);
        }

        if (tokenizerFolder is null)
        {
            ByteTokenizerFiles.Write(folder);
        }
    }
}
