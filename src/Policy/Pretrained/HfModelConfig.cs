using System.Text.Json;
using Reasoning.Policy.Model;

namespace Reasoning.Policy.Pretrained;

/// <summary>The model families a Hugging Face folder may hold; each maps onto <see cref="Transformer"/>.</summary>
public enum ModelFamily
{
    /// <summary>Llama 2, Llama 3 and 3.x (rotary scaling <c>llama3</c>), and Mistral-style configs without a sliding window.</summary>
    Llama,

    /// <summary>Qwen2 and Qwen2.5: a bias on the q, k and v projections.</summary>
    Qwen2,

    /// <summary>Qwen3: an RMSNorm over each head of q and k, and an explicit head size.</summary>
    Qwen3,
}

/// <summary>
/// What a Hugging Face <c>config.json</c> says, read strictly: every key the model's computation depends on is
/// honoured or refused with an error naming the file and the key, never ignored.
/// </summary>
/// <param name="Family">The architecture.</param>
/// <param name="Model">The transformer's shape; its <see cref="TransformerConfig.MaxSequenceLength"/> is the context this run uses (at most <paramref name="MaxPositionEmbeddings"/>).</param>
/// <param name="MaxPositionEmbeddings">The longest context the model was trained for.</param>
/// <param name="BeginId">bos_token_id, when given.</param>
/// <param name="EndIds">eos_token_id (one or a list), possibly empty.</param>
/// <param name="PaddingId">pad_token_id, when given.</param>
/// <param name="StoredDtype">torch_dtype as written (informational: the tensors' own dtypes are what is read).</param>
public sealed record HfModelConfig(
    ModelFamily Family, TransformerConfig Model, int MaxPositionEmbeddings, int? BeginId, IReadOnlyList<int> EndIds, int? PaddingId, string? StoredDtype)
{
    /// <summary>The context a run uses when it does not ask for one: enough for GSM8K- and MATH-style solutions, small enough for the rotary table and KV cache of a CPU run.</summary>
    public const int DefaultContextLength = 4096;

    private static readonly Dictionary<string, ModelFamily> Architectures = new(StringComparer.Ordinal)
    {
        ["LlamaForCausalLM"] = ModelFamily.Llama,
        ["MistralForCausalLM"] = ModelFamily.Llama,
        ["Qwen2ForCausalLM"] = ModelFamily.Qwen2,
        ["Qwen3ForCausalLM"] = ModelFamily.Qwen3,
    };

    private static readonly Dictionary<string, ModelFamily> ModelTypes = new(StringComparer.Ordinal)
    {
        ["llama"] = ModelFamily.Llama,
        ["mistral"] = ModelFamily.Llama,
        ["qwen2"] = ModelFamily.Qwen2,
        ["qwen3"] = ModelFamily.Qwen3,
    };

    /// <summary>Reads <c>config.json</c>.</summary>
    /// <param name="path">The config file.</param>
    /// <param name="contextLength">The longest sequence this run needs (capped at max_position_embeddings); null for <see cref="DefaultContextLength"/>.</param>
    /// <exception cref="ModelFolderException">The file is missing or malformed, a required key is absent, or a value is not supported.</exception>
    public static HfModelConfig Read(string path, int? contextLength = null)
    {
        if (!File.Exists(path))
        {
            throw new ModelFolderException(path, "not found (a Hugging Face model folder has a config.json)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new ModelFolderException(path, $"is not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ModelFolderException(path, "must hold a JSON object");
            }

            return new Reader(path, document.RootElement).Read(contextLength);
        }
    }

    private sealed class Reader(string path, JsonElement root)
    {
        public HfModelConfig Read(int? contextLength)
        {
            ModelFamily family = Family();
            int dimension = RequiredInt("hidden_size");
            int heads = RequiredInt("num_attention_heads");
            int kvHeads = OptionalInt("num_key_value_heads") ?? heads;
            int headDimension = OptionalInt("head_dim") ?? 0;
            int maxPositions = OptionalInt("max_position_embeddings") ?? (family == ModelFamily.Llama ? 2048 : 32768);
            if (contextLength is < 2)
            {
                throw new ArgumentOutOfRangeException(nameof(contextLength), contextLength, "a context of at least 2 positions is needed");
            }

            string activation = OptionalString("hidden_act") ?? "silu";
            Require(activation == "silu", "hidden_act", $"is '{activation}'; these families use 'silu' (SwiGLU), and no other activation is implemented");
            Require(OptionalBool("mlp_bias") != true, "mlp_bias", "is true; MLP biases are not implemented (no Llama, Qwen2 or Qwen3 checkpoint has them)");
            bool attentionBias = family == ModelFamily.Qwen2;
            if (family != ModelFamily.Qwen2)
            {
                // Llama's and Qwen3's attention_bias also puts a bias on the output projection, which no published checkpoint of theirs has.
                Require(OptionalBool("attention_bias") != true, "attention_bias", "is true; a bias on every attention projection (o_proj included) is not implemented for this family");
            }

            if (family == ModelFamily.Qwen2 || family == ModelFamily.Qwen3)
            {
                Require(OptionalBool("use_sliding_window") != true, "use_sliding_window", "is true; sliding-window attention is not implemented");
            }
            else if (OptionalInt("sliding_window") is { } window && window < Math.Min(maxPositions, contextLength ?? DefaultContextLength))
            {
                Require(false, "sliding_window", $"is {window}, shorter than the context used; sliding-window attention is not implemented");
            }

            var config = new TransformerConfig(
                VocabularySize: RequiredInt("vocab_size"),
                Dimension: dimension,
                Layers: RequiredInt("num_hidden_layers"),
                Heads: heads,
                KvHeads: kvHeads,
                HiddenDimension: RequiredInt("intermediate_size"),
                MaxSequenceLength: Math.Min(maxPositions, contextLength ?? DefaultContextLength),
                TiedEmbeddings: OptionalBool("tie_word_embeddings") ?? false,
                RopeTheta: OptionalDouble("rope_theta") ?? 10_000,
                NormEpsilon: OptionalDouble("rms_norm_eps") ?? 1e-6,
                AttentionBias: attentionBias,
                QueryKeyNorm: family == ModelFamily.Qwen3,
                ExplicitHeadDimension: headDimension == 0 || (dimension % heads == 0 && headDimension == dimension / heads) ? 0 : headDimension,
                RopeScaling: Scaling());
            try
            {
                config.Validate();
            }
            catch (ArgumentException e)
            {
                throw new ModelFolderException(path, e.Message);
            }

            return new HfModelConfig(family, config, maxPositions, OptionalInt("bos_token_id"), Ids("eos_token_id"), OptionalInt("pad_token_id"), OptionalString("torch_dtype"));
        }

        private ModelFamily Family()
        {
            if (root.TryGetProperty("architectures", out JsonElement list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0)
            {
                string name = list[0].ValueKind == JsonValueKind.String ? list[0].GetString()! : list[0].ToString();
                return Architectures.TryGetValue(name, out ModelFamily family)
                    ? family
                    : throw new ModelFolderException(path, $"key 'architectures': '{name}' is not supported; supported: {string.Join(", ", Architectures.Keys)}");
            }

            string? type = OptionalString("model_type");
            return type is null
                ? throw new ModelFolderException(path, "has neither 'architectures' nor 'model_type': cannot tell the architecture")
                : ModelTypes.TryGetValue(type, out ModelFamily byType)
                    ? byType
                    : throw new ModelFolderException(path, $"key 'model_type': '{type}' is not supported; supported: {string.Join(", ", ModelTypes.Keys)}");
        }

        private RopeScaling? Scaling()
        {
            if (!root.TryGetProperty("rope_scaling", out JsonElement scaling) || scaling.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            Require(scaling.ValueKind == JsonValueKind.Object, "rope_scaling", "must be an object or null");
            string? type = (scaling.TryGetProperty("rope_type", out JsonElement t) || scaling.TryGetProperty("type", out t)) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type is null or "default")
            {
                return null;
            }

            Require(RopeScaling.KnownTypes.Contains(type), "rope_scaling", $"type '{type}' is not supported; supported: default, {string.Join(", ", RopeScaling.KnownTypes)}");
            double Number(string key, double? fallback)
            {
                if (scaling.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.Number)
                {
                    return v.GetDouble();
                }

                return fallback ?? throw new ModelFolderException(path, $"key 'rope_scaling.{key}' is required for rope type '{type}'");
            }

            var result = type == "linear"
                ? new RopeScaling(type, Number("factor", null))
                : new RopeScaling(type, Number("factor", null), Number("low_freq_factor", null), Number("high_freq_factor", null),
                    (int)Number("original_max_position_embeddings", null));
            Require(result.Validate() is null, "rope_scaling", result.Validate() ?? "");
            return result;
        }

        private IReadOnlyList<int> Ids(string key)
        {
            if (!root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (value.ValueKind == JsonValueKind.Array)
            {
                return value.EnumerateArray().Select(e => e.TryGetInt32(out int id) ? id : throw Bad(key, "must hold integers")).ToList();
            }

            return [OptionalInt(key)!.Value];
        }

        private int RequiredInt(string key) => OptionalInt(key) ?? throw new ModelFolderException(path, $"key '{key}' is required");

        private int? OptionalInt(string key)
        {
            if (!root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) ? n : throw Bad(key, $"must be an integer, not {value}");
        }

        private double? OptionalDouble(string key)
        {
            if (!root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw Bad(key, $"must be a number, not {value}");
        }

        private bool? OptionalBool(string key)
        {
            if (!root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Bad(key, $"must be true or false, not {value}"),
            };
        }

        private string? OptionalString(string key)
        {
            if (!root.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Bad(key, $"must be a string, not {value}");
        }

        private void Require(bool ok, string key, string detail)
        {
            if (!ok)
            {
                throw Bad(key, detail);
            }
        }

        private ModelFolderException Bad(string key, string detail) => new(path, $"key '{key}' {detail}");
    }
}
