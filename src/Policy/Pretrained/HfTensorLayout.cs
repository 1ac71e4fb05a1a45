using Reasoning.Policy.Model;

namespace Reasoning.Policy.Pretrained;

/// <summary>
/// How a Hugging Face checkpoint's tensors make up <see cref="Transformer"/>'s parameters. The transformer fuses
/// q, k and v into one projection (rows in that order: H·D, then G·D, then G·D) and gate and up into one
/// (gate rows first), so one parameter may be several HF tensors stacked along the first dimension.
/// HF linear weights are [out, in], like TorchSharp's.
/// </summary>
internal static class HfTensorLayout
{
    /// <summary>One HF tensor: its name and the shape it must have.</summary>
    public sealed record Part(string Name, long[] Shape);

    /// <summary>One parameter of the transformer (by its state-dict name) and the HF tensors stacked into it.</summary>
    public sealed record Parameter(string Name, IReadOnlyList<Part> Parts);

    /// <summary>Tensors some checkpoints carry that the computation does not read (old Llama exports saved the rotary table).</summary>
    public static bool IsIgnorable(string name, TransformerConfig config) =>
        name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) || (config.TiedEmbeddings && name == "lm_head.weight");

    /// <summary>Every parameter of a model of <paramref name="config"/>, in state-dict terms, with its HF parts.</summary>
    public static IReadOnlyList<Parameter> For(TransformerConfig config)
    {
        long c = config.Dimension, v = config.VocabularySize, f = config.HiddenDimension, d = config.HeadDimension;
        long q = config.Heads * d, kv = config.KvHeads * d;
        var parameters = new List<Parameter> { new("tokens.weight", [new("model.embed_tokens.weight", [v, c])]) };
        for (int i = 0; i < config.Layers; i++)
        {
            string hf = $"model.layers.{i}", ours = $"blocks.{i}";
            parameters.Add(new($"{ours}.attention_norm.weight", [new($"{hf}.input_layernorm.weight", [c])]));
            parameters.Add(new($"{ours}.attention.qkv.weight",
                [new($"{hf}.self_attn.q_proj.weight", [q, c]), new($"{hf}.self_attn.k_proj.weight", [kv, c]), new($"{hf}.self_attn.v_proj.weight", [kv, c])]));
            if (config.AttentionBias)
            {
                parameters.Add(new($"{ours}.attention.qkv.bias",
                    [new($"{hf}.self_attn.q_proj.bias", [q]), new($"{hf}.self_attn.k_proj.bias", [kv]), new($"{hf}.self_attn.v_proj.bias", [kv])]));
            }

            if (config.QueryKeyNorm)
            {
                parameters.Add(new($"{ours}.attention.q_norm.weight", [new($"{hf}.self_attn.q_norm.weight", [d])]));
                parameters.Add(new($"{ours}.attention.k_norm.weight", [new($"{hf}.self_attn.k_norm.weight", [d])]));
            }

            parameters.Add(new($"{ours}.attention.out.weight", [new($"{hf}.self_attn.o_proj.weight", [c, q])]));
            parameters.Add(new($"{ours}.mlp_norm.weight", [new($"{hf}.post_attention_layernorm.weight", [c])]));
            parameters.Add(new($"{ours}.mlp.gate_up.weight", [new($"{hf}.mlp.gate_proj.weight", [f, c]), new($"{hf}.mlp.up_proj.weight", [f, c])]));
            parameters.Add(new($"{ours}.mlp.down.weight", [new($"{hf}.mlp.down_proj.weight", [c, f])]));
        }

        parameters.Add(new("norm.weight", [new("model.norm.weight", [c])]));
        if (!config.TiedEmbeddings)
        {
            parameters.Add(new("output.weight", [new("lm_head.weight", [v, c])]));
        }

        return parameters;
    }
}
