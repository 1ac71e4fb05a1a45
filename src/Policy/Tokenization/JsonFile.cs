using System.Text.Json;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// One parsed JSON file and the typed reads <see cref="HfTokenizer.Load"/> makes of it; every failure
/// is an <see cref="HfTokenizerException"/> that names the file and the key path ("model.type",
/// "pre_tokenizer.pretokenizers[0].pattern").
/// </summary>
internal sealed class JsonFile : IDisposable
{
    private readonly JsonDocument _document;

    private JsonFile(string path, JsonDocument document)
    {
        Path = path;
        _document = document;
    }

    public string Path { get; }

    public JsonElement Root => _document.RootElement;

    /// <summary>Reads and parses the file; null when it does not exist and is optional.</summary>
    public static JsonFile? Open(string path, bool required)
    {
        if (!File.Exists(path))
        {
            return required ? throw new HfTokenizerException(path, "file not found") : null;
        }

        try
        {
            var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new HfTokenizerException(path, $"expected a JSON object at the top level, found {document.RootElement.ValueKind}");
            }

            return new JsonFile(path, document);
        }
        catch (JsonException e)
        {
            throw new HfTokenizerException(path, $"not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new HfTokenizerException(path, $"cannot be read: {e.Message}", e);
        }
    }

    public HfTokenizerException Error(string key, string problem) => new(Path, $"{key} {problem}");

    /// <summary>The member, or null when it is absent or JSON null.</summary>
    public static JsonElement? Member(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public JsonElement Required(JsonElement obj, string name, string path, JsonValueKind kind)
    {
        var value = Member(obj, name) ?? throw Error(path, "is missing");
        return value.ValueKind == kind ? value : throw Error(path, $"must be {Describe(kind)}, found {Describe(value.ValueKind)}");
    }

    public string? OptionalString(JsonElement obj, string name, string path)
    {
        var value = Member(obj, name);
        return value is null ? null
            : value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString()
            : throw Error(path, $"must be a string, found {Describe(value.Value.ValueKind)}");
    }

    public bool OptionalBool(JsonElement obj, string name, string path, bool fallback)
    {
        var value = Member(obj, name);
        return value?.ValueKind switch
        {
            null => fallback,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            var kind => throw Error(path, $"must be true or false, found {Describe(kind.Value)}"),
        };
    }

    public int OptionalInt(JsonElement obj, string name, string path, int fallback)
    {
        var value = Member(obj, name);
        return value is null ? fallback : Int(value.Value, path);
    }

    public int Int(JsonElement value, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 0
            ? n
            : throw Error(path, $"must be a non-negative integer, found {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value.ValueKind))}");

    public string Type(JsonElement obj, string path) =>
        OptionalString(obj, "type", path + ".type") ?? throw Error(path + ".type", "is missing");

    public void Dispose() => _document.Dispose();

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
