using System.Text.Json;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// A Hugging Face tokenizer read from a model folder: <c>tokenizer.json</c> (required),
/// <c>tokenizer_config.json</c> and <c>generation_config.json</c> (optional). Encodes as
/// <c>tokenizer(text, add_special_tokens=False)</c> does, with identical ids for byte-level BPE
/// (Qwen2/2.5/3, Llama 3) and SentencePiece-style BPE (Llama 2); docs/tokenizers.md has the
/// measurements and what is not supported. Thread-safe.
/// </summary>
public sealed class HfTokenizer
{
    /// <summary>The optional file with the special tokens (bos, eos, pad), add_bos_token and added_tokens_decoder.</summary>
    public const string ConfigFileName = "tokenizer_config.json";

    /// <summary>The optional file whose eos_token_id (an integer or a list) adds to <see cref="EndIds"/>.</summary>
    public const string GenerationConfigFileName = "generation_config.json";

    private readonly TextNormalizer? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly BytePairModel _model;
    private readonly AddedTokens _addedTokens;
    private readonly TokenDecoder _decoder;
    private readonly string?[] _texts;
    private readonly bool[] _special;
    private readonly Dictionary<string, int> _ids;

    private HfTokenizer(TokenizerJson json, IReadOnlyList<AddedToken> addedTokens)
    {
        _normalizer = json.Normalizer;
        _preTokenizer = json.PreTokenizer;
        _model = json.Model;
        _decoder = json.Decoder;
        _addedTokens = new AddedTokens(addedTokens, json.Normalizer);
        int size = Math.Max(json.Vocabulary.Values.DefaultIfEmpty(-1).Max(), addedTokens.Select(t => t.Id).DefaultIfEmpty(-1).Max()) + 1;
        VocabularySize = size;
        _texts = new string?[size];
        _special = new bool[size];
        _ids = new Dictionary<string, int>(json.Vocabulary, StringComparer.Ordinal);
        foreach (var (text, id) in json.Vocabulary)
        {
            _texts[id] = text;
        }

        foreach (var token in addedTokens)
        {
            _texts[token.Id] = token.Content;
            _special[token.Id] = token.Special;
            _ids[token.Content] = token.Id;
        }
    }

    /// <summary>The largest id (added tokens included) plus one: what an embedding must have at least.</summary>
    public int VocabularySize { get; }

    /// <summary>The beginning-of-sequence token (tokenizer_config.json's <c>bos_token</c>), if there is one.</summary>
    public int? BeginId { get; private set; }

    /// <summary>
    /// The tokens that end generation: tokenizer_config.json's <c>eos_token</c> and every
    /// generation_config.json <c>eos_token_id</c> (Qwen instruct models end on both
    /// &lt;|im_end|&gt; and &lt;|endoftext|&gt;).
    /// </summary>
    public IReadOnlySet<int> EndIds { get; private set; } = new HashSet<int>();

    /// <summary>
    /// The token a finished answer is written with: tokenizer_config.json's <c>eos_token</c> (an instruct model's end of
    /// turn, &lt;|im_end|&gt; for Qwen), else generation_config.json's first <c>eos_token_id</c>; null when neither names one.
    /// </summary>
    public int? EndId { get; private set; }

    /// <summary>The padding token (tokenizer_config.json's <c>pad_token</c>), or null when it names none.</summary>
    public int? PaddingId { get; private set; }

    /// <summary>
    /// Whether Hugging Face puts <see cref="BeginId"/> before the text when asked to add special tokens:
    /// tokenizer_config.json's <c>add_bos_token</c> when present (Llama 2: true, Qwen: false), else
    /// whether tokenizer.json's post-processor template starts with the BOS token (Llama 3.x).
    /// <see cref="Encode"/> never adds it; a caller that wants it prepends <see cref="BeginId"/>.
    /// </summary>
    public bool AddsBeginToken { get; private set; }

    /// <summary>Reads a Hugging Face tokenizer from a model folder.</summary>
    /// <exception cref="HfTokenizerException">A file is missing, malformed or unsupported; the message names the file and the key.</exception>
    public static HfTokenizer Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new HfTokenizerException(folder, "tokenizer folder not found");
        }

        TokenizerJson json;
        using (var file = JsonFile.Open(Path.Combine(folder, TokenizerJson.FileName), required: true)!)
        {
            json = TokenizerJson.Read(file);
        }

        var added = new List<AddedToken>(json.AddedTokens);
        using var config = JsonFile.Open(Path.Combine(folder, ConfigFileName), required: false);
        if (config is not null)
        {
            added.AddRange(ReadAddedTokensDecoder(config, json.AddedTokens));
        }

        var tokenizer = new HfTokenizer(json, added);
        using var generation = JsonFile.Open(Path.Combine(folder, GenerationConfigFileName), required: false);
        var ends = new HashSet<int>();
        if (config is not null)
        {
            tokenizer.BeginId = tokenizer.SpecialTokenId(config, "bos_token");
            tokenizer.PaddingId = tokenizer.SpecialTokenId(config, "pad_token");
            if (tokenizer.SpecialTokenId(config, "eos_token") is int eos)
            {
                ends.Add(eos);
                tokenizer.EndId = eos;
            }
        }

        if (generation is not null)
        {
            IReadOnlyList<int> generationEnds = ReadIds(generation, "eos_token_id").ToList();
            ends.UnionWith(generationEnds);
            tokenizer.EndId ??= generationEnds.Count > 0 ? generationEnds[0] : null;
        }

        tokenizer.EndIds = ends;
        tokenizer.AddsBeginToken = config is not null && JsonFile.Member(config.Root, "add_bos_token") is not null
            ? config.OptionalBool(config.Root, "add_bos_token", "add_bos_token", false)
            : json.TemplateLeadingSpecialTokens.Count > 0 && tokenizer.BeginId is int begin &&
              json.TemplateLeadingSpecialTokens[0] == tokenizer._texts[begin];
        return tokenizer;
    }

    /// <summary>
    /// The ids of <paramref name="text"/>, as Hugging Face's <c>tokenizer(text, add_special_tokens=False)</c>:
    /// added and special tokens written in the text (&lt;|im_start|&gt;, &lt;think&gt;) are recognised, no
    /// BOS or EOS is added.
    /// </summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        var words = new List<string>();
        foreach (var piece in _addedTokens.Split(text, _normalizer))
        {
            if (piece.AddedTokenId is int added)
            {
                ids.Add(added);
                continue;
            }

            words.Clear();
            if (_preTokenizer is null)
            {
                words.Add(piece.Text);
            }
            else
            {
                _preTokenizer.Split(piece.Text, words);
            }

            foreach (string word in words)
            {
                _model.Encode(word, ids);
            }
        }

        return ids.ToArray();
    }

    /// <summary>
    /// The text of <paramref name="ids"/>, through tokenizer.json's decoder. Never throws: an id that
    /// is no token decodes to U+FFFD, and bytes that are not valid UTF-8 (a sequence cut in the middle
    /// of a character) to U+FFFD. Special tokens are kept unless <paramref name="skipSpecialTokens"/>.
    /// tokenizer_config.json's <c>clean_up_tokenization_spaces</c> is not applied, so decoding an
    /// encoding gives the (normalized) text back exactly.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var tokens = new List<string>();
        foreach (int id in ids)
        {
            if (id < 0 || id >= _texts.Length || _texts[id] is not string text)
            {
                tokens.Add("\uFFFD");
            }
            else if (!(skipSpecialTokens && _special[id]))
            {
                tokens.Add(text);
            }
        }

        return tokens.Count == 0 ? "" : _decoder.Join(tokens);
    }

    /// <summary>The token's text as the vocabulary writes it ("Ġthe", "&lt;|im_end|&gt;"), or null for an id that is no token.</summary>
    public string? TokenText(int id) => id >= 0 && id < _texts.Length ? _texts[id] : null;

    /// <summary>The id of a token given as the vocabulary writes it, or null.</summary>
    public int? IdOf(string tokenText) => _ids.TryGetValue(tokenText, out int id) ? id : null;

    /// <summary>The id of a tokenizer_config.json special token (a string, or an object with "content"); null when absent.</summary>
    private int? SpecialTokenId(JsonFile config, string key)
    {
        if (JsonFile.Member(config.Root, key) is not { } value)
        {
            return null;
        }

        string text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Object => config.Required(value, "content", key + ".content", JsonValueKind.String).GetString()!,
            _ => throw config.Error(key, "must be a token string or an object with \"content\""),
        };
        return IdOf(text) ?? throw config.Error(key, $"'{text}' is not a token of {TokenizerJson.FileName}");
    }

    /// <summary>tokenizer_config.json's added_tokens_decoder entries that tokenizer.json does not already list.</summary>
    private static IEnumerable<AddedToken> ReadAddedTokensDecoder(JsonFile config, IReadOnlyList<AddedToken> known)
    {
        if (JsonFile.Member(config.Root, "added_tokens_decoder") is not { } decoder)
        {
            yield break;
        }

        if (decoder.ValueKind != JsonValueKind.Object)
        {
            throw config.Error("added_tokens_decoder", "must be an object from id to token");
        }

        var ids = known.Select(t => t.Id).ToHashSet();
        foreach (var entry in decoder.EnumerateObject())
        {
            string path = $"added_tokens_decoder[\"{entry.Name}\"]";
            if (!int.TryParse(entry.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id))
            {
                throw config.Error(path, "is not a token id");
            }

            if (ids.Add(id))
            {
                yield return TokenizerJson.ReadAddedToken(config, entry.Value, path, id);
            }
        }
    }

    /// <summary>A generation_config.json id key that holds an integer or a list of integers.</summary>
    private static IEnumerable<int> ReadIds(JsonFile file, string key)
    {
        if (JsonFile.Member(file.Root, key) is not { } value)
        {
            return [];
        }

        return value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select((v, i) => file.Int(v, $"{key}[{i}]")).ToList()
            : [file.Int(value, key)];
    }
}
