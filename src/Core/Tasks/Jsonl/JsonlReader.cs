using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reasoning.Core.Tasks.Jsonl;

/// <summary>One object of a JSONL file: its 1-based line and the text fields asked for (line ends made <c>\n</c>).</summary>
internal sealed record JsonlRecord(int Line, IReadOnlyDictionary<string, string> Fields);

/// <summary>A JSONL file's records, its fingerprint, and the problems found in it.</summary>
internal sealed record JsonlFile(string Path, IReadOnlyList<JsonlRecord> Records, string Sha256);

/// <summary>
/// Reads JSONL as Hugging Face <c>datasets</c> exports it (<c>Dataset.to_json</c>): one JSON object per line, UTF-8 with
/// or without a byte order mark, <c>\n</c> or <c>\r\n</c> line ends; blank lines are skipped. Every problem is reported
/// with its file, 1-based line and field, up to <see cref="MaxErrors"/> per file.
/// </summary>
internal static class JsonlReader
{
    /// <summary>Reading a file stops after this many problems (a wrong field name would otherwise report every line).</summary>
    public const int MaxErrors = 10;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's records, each with every field of <paramref name="fields"/> as non-blank text; null when anything is wrong (see <paramref name="errors"/>).</summary>
    public static JsonlFile? Read(string path, IReadOnlyList<string> fields, List<DatasetError> errors)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            errors.Add(new DatasetError(path, 0, null, $"cannot read the file: {e.Message}"));
            return null;
        }

        int before = errors.Count;
        var records = new List<JsonlRecord>();
        ReadOnlySpan<byte> rest = bytes;
        if (rest.StartsWith("\uFEFF"u8))
        {
            rest = rest[3..];
        }

        for (int line = 1; rest.Length > 0 || line == 1; line++)
        {
            int newline = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> text = newline < 0 ? rest : rest[..newline];
            rest = newline < 0 ? [] : rest[(newline + 1)..];
            if (text.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (errors.Count - before >= MaxErrors)
            {
                errors.Add(new DatasetError(path, line, null, $"stopped reading after {MaxErrors} problems"));
                return null;
            }

            if (ReadLine(path, line, text, fields, errors) is { } record)
            {
                records.Add(record);
            }
        }

        if (errors.Count != before)
        {
            return null;
        }

        if (records.Count == 0)
        {
            errors.Add(new DatasetError(path, 0, null, "holds no problems: the file is empty or has only blank lines (expected one JSON object per line)"));
            return null;
        }

        return new JsonlFile(path, records, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
    }

    private static JsonlRecord? ReadLine(string path, int line, ReadOnlySpan<byte> bytes, IReadOnlyList<string> fields, List<DatasetError> errors)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            errors.Add(new DatasetError(path, line, null, "is not valid UTF-8 text"));
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            // JsonException ends its message with "LineNumber: 0 | BytePositionInLine: 12."; the position is given our way.
            string message = e.Message;
            int suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            message = suffix > 0 ? message[..suffix] : message;
            errors.Add(new DatasetError(path, line, null, $"is not valid JSON (at byte {(e.BytePositionInLine ?? 0) + 1}): {message}"));
            return null;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new DatasetError(path, line, null, $"expected a JSON object with the fields {Quoted(fields)}, got {Describe(root.ValueKind)}"));
                return null;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            bool ok = true;
            foreach (string field in fields)
            {
                if (!root.TryGetProperty(field, out JsonElement value))
                {
                    string has = string.Join(", ", root.EnumerateObject().Select(p => p.Name).Take(20));
                    errors.Add(new DatasetError(path, line, field, $"missing (the object has: {(has.Length == 0 ? "no fields" : has)})"));
                    ok = false;
                }
                else if (value.ValueKind != JsonValueKind.String)
                {
                    errors.Add(new DatasetError(path, line, field, $"expected text, got {Describe(value.ValueKind)}"));
                    ok = false;
                }
                else if (value.GetString()!.Trim().Length == 0)
                {
                    errors.Add(new DatasetError(path, line, field, "is empty"));
                    ok = false;
                }
                else
                {
                    values[field] = value.GetString()!.Replace("\r\n", "\n").Replace('\r', '\n');
                }
            }

            return ok ? new JsonlRecord(line, values) : null;
        }
    }

    private static string Quoted(IReadOnlyList<string> fields) => string.Join(", ", fields.Select(f => $"'{f}'"));

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
