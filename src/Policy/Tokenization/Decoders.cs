using System.Globalization;
using System.Text;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// A tokenizer.json <c>decoder</c>: Hugging Face's <c>decode_chain</c>, a list of token strings in,
/// a list out; <see cref="Join"/> concatenates the result. None of them throws on any input.
/// </summary>
internal abstract class TokenDecoder
{
    public abstract List<string> DecodeChain(List<string> tokens);

    /// <summary>The decoded text: the chain's output, concatenated.</summary>
    public string Join(List<string> tokens) => string.Concat(DecodeChain(tokens));
}

/// <summary>No decoder in tokenizer.json: Hugging Face joins the tokens with spaces.</summary>
internal sealed class SpaceJoinDecoder : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Join(' ', tokens)];
}

/// <summary><c>Sequence</c>: each decoder on the previous one's output.</summary>
internal sealed class SequenceDecoder(IReadOnlyList<TokenDecoder> steps) : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var step in steps)
        {
            tokens = step.DecodeChain(tokens);
        }

        return tokens;
    }
}

/// <summary>
/// <c>ByteLevel</c>: every token back to the bytes its characters stand for, the whole sequence read
/// as UTF-8 with each ill-formed subsequence replaced by U+FFFD (Rust's from_utf8_lossy and .NET's
/// decoder follow the same Unicode "maximal subpart" practice).
/// </summary>
internal sealed class ByteLevelDecoder : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>(tokens.Count * 4);
        foreach (string token in tokens)
        {
            ByteLevelAlphabet.AppendBytes(token, bytes);
        }

        return [Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes))];
    }
}

/// <summary><c>Replace</c> with a literal pattern, in every token (Llama 2: "▁" back to a space).</summary>
internal sealed class ReplaceDecoder(string pattern, string content) : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens) =>
        tokens.Select(t => t.Replace(pattern, content, StringComparison.Ordinal)).ToList();
}

/// <summary>
/// <c>ByteFallback</c>: runs of "&lt;0xAB&gt;" tokens back to bytes read as UTF-8; a run that is not
/// valid UTF-8 becomes one U+FFFD per byte token, as Hugging Face's decoder does.
/// </summary>
internal sealed class ByteFallbackDecoder : TokenDecoder
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        var run = new List<byte>();
        foreach (string token in tokens)
        {
            if (TryParseByte(token, out byte b))
            {
                run.Add(b);
                continue;
            }

            Flush(run, output);
            output.Add(token);
        }

        Flush(run, output);
        return output;
    }

    private static bool TryParseByte(string token, out byte b)
    {
        b = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>' &&
            byte.TryParse(token.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out b);
    }

    private static void Flush(List<byte> run, List<string> output)
    {
        if (run.Count == 0)
        {
            return;
        }

        try
        {
            output.Add(Strict.GetString(run.ToArray()));
        }
        catch (DecoderFallbackException)
        {
            output.AddRange(Enumerable.Repeat("\uFFFD", run.Count));
        }

        run.Clear();
    }
}

/// <summary><c>Fuse</c>: all tokens into one.</summary>
internal sealed class FuseDecoder : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}

/// <summary><c>Strip</c>: up to <c>start</c> leading and <c>stop</c> trailing copies of one character off every token (Llama 2: the leading space).</summary>
internal sealed class StripDecoder(string content, int start, int stop) : TokenDecoder
{
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(Strip).ToList();

    private string Strip(string token)
    {
        var runes = token.EnumerateRunes().ToList();
        int first = 0;
        while (first < start && first < runes.Count && runes[first].ToString() == content)
        {
            first++;
        }

        int end = runes.Count;
        for (int i = 0; i < stop && end > first && runes[end - 1].ToString() == content; i++)
        {
            end--;
        }

        return string.Concat(runes.Skip(first).Take(end - first).Select(r => r.ToString()));
    }
}
