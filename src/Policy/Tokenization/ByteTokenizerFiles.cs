using System.Text.Json;
using System.Text.Json.Nodes;
using Reasoning.Core.Storage;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// Writes the tokenizer files of a byte-level BPE tokenizer with no merges: one id per byte (GPT-2's byte alphabet,
/// as Qwen's and Llama 3's vocabularies are written), then ChatML's special tokens. It is a real Hugging Face
/// tokenizer.json (<see cref="HfTokenizer"/> and transformers read it), small enough for the random models the
/// project makes for smoke runs and benchmarks, where no pretrained tokenizer can be downloaded.
/// </summary>
public static class ByteTokenizerFiles
{
    /// <summary>Ids 0-255 are bytes; then these.</summary>
    public static readonly IReadOnlyList<string> SpecialTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

    /// <summary>Bytes and special tokens.</summary>
    public static int VocabularySize => 256 + SpecialTokens.Count;

    /// <summary>Writes tokenizer.json, tokenizer_config.json (eos <c>&lt;|im_end|&gt;</c>, pad <c>&lt;|endoftext|&gt;</c>) and generation_config.json into <paramref name="folder"/>.</summary>
    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var vocabulary = new JsonObject();
        for (int b = 0; b < 256; b++)
        {
            vocabulary[ByteLevelAlphabet.Character((byte)b).ToString()] = b;
        }

        var added = new JsonArray();
        for (int i = 0; i < SpecialTokens.Count; i++)
        {
            added.Add(new JsonObject
            {
                ["id"] = 256 + i, ["content"] = SpecialTokens[i], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = true,
            });
        }

        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = true },
            ["post_processor"] = null,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["vocab"] = vocabulary, ["merges"] = new JsonArray(),
            },
        };
        var config = new JsonObject
        {
            ["add_bos_token"] = false,
            ["bos_token"] = null,
            ["eos_token"] = "<|im_end|>",
            ["pad_token"] = "<|endoftext|>",
            ["model_max_length"] = 32768,
            ["tokenizer_class"] = "Qwen2Tokenizer",
        };
        var generation = new JsonObject { ["eos_token_id"] = new JsonArray(258, 256), ["pad_token_id"] = 256 };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString(indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, HfTokenizer.ConfigFileName), config.ToJsonString(indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, HfTokenizer.GenerationConfigFileName), generation.ToJsonString(indented) + "\n");
    }
}
