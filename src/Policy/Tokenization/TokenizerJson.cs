using System.Text.Json;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// What tokenizer.json describes, built into the pieces that run it: normalizer, pre-tokenizer,
/// BPE model, decoder, added tokens. Anything this implementation does not do is refused with the key
/// and the value rather than approximated.
/// </summary>
internal sealed record TokenizerJson(
    TextNormalizer? Normalizer,
    PreTokenizer? PreTokenizer,
    BytePairModel Model,
    TokenDecoder Decoder,
    Dictionary<string, int> Vocabulary,
    IReadOnlyList<AddedToken> AddedTokens,
    IReadOnlyList<string> TemplateLeadingSpecialTokens)
{
    public const string FileName = "tokenizer.json";

    private const string SupportedNormalizers = "NFC, NFD, Prepend, Replace (string pattern), Sequence";
    private const string SupportedPreTokenizers = "Split (Isolated or Removed), ByteLevel, Sequence";
    private const string SupportedDecoders = "ByteLevel, ByteFallback, Fuse, Replace (string pattern), Strip, Sequence";

    public static TokenizerJson Read(JsonFile file)
    {
        var root = file.Root;
        var normalizer = JsonFile.Member(root, "normalizer") is { } n ? ReadNormalizer(file, n, "normalizer") : null;
        var preTokenizer = JsonFile.Member(root, "pre_tokenizer") is { } p ? ReadPreTokenizer(file, p, "pre_tokenizer") : null;
        var decoder = JsonFile.Member(root, "decoder") is { } d ? ReadDecoder(file, d, "decoder") : new SpaceJoinDecoder();
        var (model, vocabulary) = ReadModel(file, file.Required(root, "model", "model", JsonValueKind.Object));
        var added = new List<AddedToken>();
        if (JsonFile.Member(root, "added_tokens") is { } tokens)
        {
            if (tokens.ValueKind != JsonValueKind.Array)
            {
                throw file.Error("added_tokens", "must be an array");
            }

            int i = 0;
            foreach (var token in tokens.EnumerateArray())
            {
                added.Add(ReadAddedToken(file, token, $"added_tokens[{i++}]"));
            }
        }

        var leading = new List<string>();
        if (JsonFile.Member(root, "post_processor") is { } post)
        {
            CollectLeadingSpecialTokens(post, leading);
        }

        return new TokenizerJson(normalizer, preTokenizer, model, decoder, vocabulary, added, leading);
    }

    /// <summary>An added token from tokenizer.json (with its id) or tokenizer_config.json (id given).</summary>
    public static AddedToken ReadAddedToken(JsonFile file, JsonElement token, string path, int? id = null) =>
        new(
            id ?? file.Int(file.Required(token, "id", path + ".id", JsonValueKind.Number), path + ".id"),
            file.Required(token, "content", path + ".content", JsonValueKind.String).GetString()!,
            Special: file.OptionalBool(token, "special", path + ".special", false),
            Normalized: file.OptionalBool(token, "normalized", path + ".normalized", true),
            LeftStrip: file.OptionalBool(token, "lstrip", path + ".lstrip", false),
            RightStrip: file.OptionalBool(token, "rstrip", path + ".rstrip", false),
            SingleWord: file.OptionalBool(token, "single_word", path + ".single_word", false));

    private static (BytePairModel, Dictionary<string, int>) ReadModel(JsonFile file, JsonElement model)
    {
        string type = file.OptionalString(model, "type", "model.type") ?? "BPE"; // Hugging Face infers BPE from vocab + merges
        if (type != "BPE")
        {
            throw file.Error("model.type", $"'{type}' is not supported (this tokenizer implements BPE only)");
        }

        if (JsonFile.Member(model, "dropout") is { } dropout && (dropout.ValueKind != JsonValueKind.Number || dropout.GetDouble() != 0))
        {
            throw file.Error("model.dropout", $"{dropout.GetRawText()} is not supported (BPE dropout is for training; use null)");
        }

        var vocab = file.Required(model, "vocab", "model.vocab", JsonValueKind.Object);
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject())
        {
            vocabulary[entry.Name] = file.Int(entry.Value, $"model.vocab[\"{entry.Name}\"]");
        }

        var merges = new List<(string, string)>();
        int i = 0;
        foreach (var merge in file.Required(model, "merges", "model.merges", JsonValueKind.Array).EnumerateArray())
        {
            string path = $"model.merges[{i++}]";
            if (merge.ValueKind == JsonValueKind.String)
            {
                string[] parts = merge.GetString()!.Split(' ');
                merges.Add(parts.Length == 2 ? (parts[0], parts[1]) : throw file.Error(path, $"'{merge.GetString()}' is not two tokens separated by one space"));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2 &&
                merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                merges.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw file.Error(path, "must be \"left right\" or [\"left\", \"right\"]");
            }
        }

        try
        {
            return (new BytePairModel(
                vocabulary,
                merges,
                file.OptionalString(model, "continuing_subword_prefix", "model.continuing_subword_prefix"),
                file.OptionalString(model, "end_of_word_suffix", "model.end_of_word_suffix"),
                file.OptionalString(model, "unk_token", "model.unk_token"),
                file.OptionalBool(model, "fuse_unk", "model.fuse_unk", false),
                file.OptionalBool(model, "byte_fallback", "model.byte_fallback", false),
                file.OptionalBool(model, "ignore_merges", "model.ignore_merges", false)), vocabulary);
        }
        catch (ArgumentException e)
        {
            throw file.Error("model.merges", e.Message);
        }
    }

    private static TextNormalizer ReadNormalizer(JsonFile file, JsonElement element, string path)
    {
        string type = file.Type(element, path);
        switch (type)
        {
            case "NFC":
            case "NFD":
                return new UnicodeFormNormalizer(compose: type == "NFC");
            case "Prepend":
                return new PrependNormalizer(file.Required(element, "prepend", path + ".prepend", JsonValueKind.String).GetString()!);
            case "Replace":
                return new ReplaceNormalizer(LiteralPattern(file, element, path), file.Required(element, "content", path + ".content", JsonValueKind.String).GetString()!);
            case "Sequence":
                var steps = file.Required(element, "normalizers", path + ".normalizers", JsonValueKind.Array).EnumerateArray()
                    .Select((step, i) => ReadNormalizer(file, step, $"{path}.normalizers[{i}]")).ToList();
                return new SequenceNormalizer(steps);
            default:
                throw file.Error(path + ".type", $"'{type}' is not supported (supported: {SupportedNormalizers})");
        }
    }

    private static PreTokenizer ReadPreTokenizer(JsonFile file, JsonElement element, string path)
    {
        string type = file.Type(element, path);
        switch (type)
        {
            case "Sequence":
                var steps = file.Required(element, "pretokenizers", path + ".pretokenizers", JsonValueKind.Array).EnumerateArray()
                    .Select((step, i) => ReadPreTokenizer(file, step, $"{path}.pretokenizers[{i}]")).ToList();
                return new SequencePreTokenizer(steps);
            case "ByteLevel":
                return new ByteLevelPreTokenizer(
                    addPrefixSpace: file.OptionalBool(element, "add_prefix_space", path + ".add_prefix_space", true),
                    useRegex: file.OptionalBool(element, "use_regex", path + ".use_regex", true));
            case "Split":
                if (file.OptionalBool(element, "invert", path + ".invert", false))
                {
                    throw file.Error(path + ".invert", "true is not supported");
                }

                string behavior = file.OptionalString(element, "behavior", path + ".behavior") ?? "Isolated";
                if (behavior is not ("Isolated" or "Removed"))
                {
                    throw file.Error(path + ".behavior", $"'{behavior}' is not supported (supported: Isolated, Removed)");
                }

                var pattern = file.Required(element, "pattern", path + ".pattern", JsonValueKind.Object);
                string regex = JsonFile.Member(pattern, "Regex") is { ValueKind: JsonValueKind.String } r
                    ? r.GetString()!
                    : System.Text.RegularExpressions.Regex.Escape(LiteralPattern(file, element, path));
                try
                {
                    return new RegexSplitPreTokenizer(new PatternSplitter(regex), removeMatches: behavior == "Removed");
                }
                catch (ArgumentException e)
                {
                    throw file.Error(path + ".pattern", $"'{regex}' is not a pattern .NET can run: {e.Message}");
                }

            default:
                throw file.Error(path + ".type", $"'{type}' is not supported (supported: {SupportedPreTokenizers})");
        }
    }

    private static TokenDecoder ReadDecoder(JsonFile file, JsonElement element, string path)
    {
        string type = file.Type(element, path);
        switch (type)
        {
            case "ByteLevel":
                return new ByteLevelDecoder();
            case "ByteFallback":
                return new ByteFallbackDecoder();
            case "Fuse":
                return new FuseDecoder();
            case "Replace":
                return new ReplaceDecoder(LiteralPattern(file, element, path), file.Required(element, "content", path + ".content", JsonValueKind.String).GetString()!);
            case "Strip":
                return new StripDecoder(
                    file.Required(element, "content", path + ".content", JsonValueKind.String).GetString()!,
                    file.OptionalInt(element, "start", path + ".start", 0),
                    file.OptionalInt(element, "stop", path + ".stop", 0));
            case "Sequence":
                var steps = file.Required(element, "decoders", path + ".decoders", JsonValueKind.Array).EnumerateArray()
                    .Select((step, i) => ReadDecoder(file, step, $"{path}.decoders[{i}]")).ToList();
                return new SequenceDecoder(steps);
            default:
                throw file.Error(path + ".type", $"'{type}' is not supported (supported: {SupportedDecoders})");
        }
    }

    /// <summary>A <c>{"String": "..."}</c> pattern; a <c>{"Regex": ...}</c> one is refused where only literals are implemented.</summary>
    private static string LiteralPattern(JsonFile file, JsonElement element, string path)
    {
        var pattern = file.Required(element, "pattern", path + ".pattern", JsonValueKind.Object);
        return JsonFile.Member(pattern, "String") is { ValueKind: JsonValueKind.String } s
            ? s.GetString()!
            : throw file.Error(path + ".pattern", $"{pattern.GetRawText()} is not supported here (only {{\"String\": ...}})");
    }

    /// <summary>The special tokens a TemplateProcessing post-processor puts before the text of a single sequence.</summary>
    private static void CollectLeadingSpecialTokens(JsonElement post, List<string> output)
    {
        string? type = JsonFile.Member(post, "type") is { ValueKind: JsonValueKind.String } t ? t.GetString() : null;
        if (type == "Sequence" && JsonFile.Member(post, "processors") is { ValueKind: JsonValueKind.Array } processors)
        {
            foreach (var processor in processors.EnumerateArray())
            {
                CollectLeadingSpecialTokens(processor, output);
            }
        }
        else if (type == "TemplateProcessing" && JsonFile.Member(post, "single") is { ValueKind: JsonValueKind.Array } single)
        {
            foreach (var piece in single.EnumerateArray())
            {
                if (JsonFile.Member(piece, "SpecialToken") is not { } special)
                {
                    break;
                }

                if (JsonFile.Member(special, "id") is { ValueKind: JsonValueKind.String } id)
                {
                    output.Add(id.GetString()!);
                }
            }
        }
    }
}
