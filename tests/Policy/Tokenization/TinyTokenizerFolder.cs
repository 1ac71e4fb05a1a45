using System.Text.Json.Nodes;

namespace Reasoning.Tests.Policy.Tokenization;

/// <summary>
/// A small byte-level BPE tokenizer folder written for a test: vocabulary a b c ab bc abc Ġ, merges
/// "b c" &lt; "a b" &lt; "a bc", added tokens &lt;s&gt; (8) and &lt;|end|&gt; (7), and a post-processor
/// template that puts &lt;s&gt; first. A test edits the JSON or adds the two config files.
/// </summary>
internal static class TinyTokenizerFolder
{
    public const string TokenizerJson = """
        {
          "version": "1.0",
          "added_tokens": [
            { "id": 7, "content": "<|end|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true },
            { "id": 8, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true }
          ],
          "normalizer": null,
          "pre_tokenizer": { "type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true },
          "post_processor": {
            "type": "TemplateProcessing",
            "single": [ { "SpecialToken": { "id": "<s>", "type_id": 0 } }, { "Sequence": { "id": "A", "type_id": 0 } } ],
            "pair": [],
            "special_tokens": {}
          },
          "decoder": { "type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true },
          "model": {
            "type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false, "byte_fallback": false,
            "vocab": { "a": 0, "b": 1, "c": 2, "ab": 3, "bc": 4, "abc": 5, "Ġ": 6 },
            "merges": [ "b c", "a b", "a bc" ]
          }
        }
        """;

    /// <summary>Writes the folder; <paramref name="edit"/> changes tokenizer.json first, the configs are written as given.</summary>
    public static string Write(Action<JsonObject>? edit = null, string? config = null, string? generationConfig = null)
    {
        string folder = Directory.CreateTempSubdirectory("reasoning-tiny-tokenizer-").FullName;
        var json = JsonNode.Parse(TokenizerJson)!.AsObject();
        edit?.Invoke(json);
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), json.ToJsonString());
        if (config is not null)
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config);
        }

        if (generationConfig is not null)
        {
            File.WriteAllText(Path.Combine(folder, "generation_config.json"), generationConfig);
        }

        return folder;
    }
}
