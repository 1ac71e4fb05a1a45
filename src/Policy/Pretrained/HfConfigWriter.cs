using System.Text.Json.Nodes;
using Reasoning.Policy.Model;

namespace Reasoning.Policy.Pretrained;

/// <summary>Writes a <c>config.json</c> in the family's own vocabulary, for a model folder made without a source folder (tests, new models).</summary>
internal static class HfConfigWriter
{
    /// <summary>The family a config's features imply: q/k norm is Qwen3, a q/k/v bias Qwen2, neither Llama.</summary>
    public static HfModelConfig Describe(TransformerConfig config) => new(
        config.QueryKeyNorm ? ModelFamily.Qwen3 : config.AttentionBias ? ModelFamily.Qwen2 : ModelFamily.Llama,
        config, config.MaxSequenceLength, BeginId: null, EndIds: [], PaddingId: null, StoredDtype: null);

    public static JsonObject Write(HfModelConfig hf)
    {
        TransformerConfig c = hf.Model;
        (string architecture, string type) = hf.Family switch
        {
            ModelFamily.Qwen2 => ("Qwen2ForCausalLM", "qwen2"),
            ModelFamily.Qwen3 => ("Qwen3ForCausalLM", "qwen3"),
            _ => ("LlamaForCausalLM", "llama"),
        };
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(architecture),
            ["model_type"] = type,
            ["hidden_act"] = "silu",
            ["hidden_size"] = c.Dimension,
            ["intermediate_size"] = c.HiddenDimension,
            ["num_hidden_layers"] = c.Layers,
            ["num_attention_heads"] = c.Heads,
            ["num_key_value_heads"] = c.KvHeads,
            ["head_dim"] = c.HeadDimension,
            ["max_position_embeddings"] = hf.MaxPositionEmbeddings,
            ["rms_norm_eps"] = c.NormEpsilon,
            ["rope_theta"] = c.RopeTheta,
            ["rope_scaling"] = c.RopeScaling is { } s
                ? s.Type == "linear"
                    ? new JsonObject { ["rope_type"] = s.Type, ["factor"] = s.Factor }
                    : new JsonObject
                    {
                        ["rope_type"] = s.Type, ["factor"] = s.Factor, ["low_freq_factor"] = s.LowFrequencyFactor,
                        ["high_freq_factor"] = s.HighFrequencyFactor, ["original_max_position_embeddings"] = s.OriginalMaxPositions,
                    }
                : null,
            ["tie_word_embeddings"] = c.TiedEmbeddings,
            ["vocab_size"] = c.VocabularySize,
        };
        if (hf.Family == ModelFamily.Qwen2)
        {
            json["use_sliding_window"] = false;
        }
        else
        {
            json["attention_bias"] = false;
        }

        if (hf.BeginId is { } bos)
        {
            json["bos_token_id"] = bos;
        }

        if (hf.EndIds.Count > 0)
        {
            json["eos_token_id"] = hf.EndIds.Count == 1 ? JsonValue.Create(hf.EndIds[0]) : new JsonArray(hf.EndIds.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
        }

        if (hf.PaddingId is { } pad)
        {
            json["pad_token_id"] = pad;
        }

        return json;
    }
}
