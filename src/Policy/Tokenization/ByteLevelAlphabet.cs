namespace Reasoning.Policy.Tokenization;

/// <summary>
/// GPT-2's byte-to-character map (Radford et al. 2019, <c>bytes_to_unicode</c> in openai/gpt-2's
/// encoder.py), which byte-level BPE vocabularies (GPT-2, Llama 3, Qwen) are written in: the 188
/// printable bytes stand for themselves and the other 68 for U+0100 onwards, so a space is 'Ġ'
/// (U+0120) and a newline 'Ċ' (U+010A).
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    /// <summary>The character that stands for <paramref name="value"/>.</summary>
    public static char Character(byte value) => ByteToChar[value];

    /// <summary>The text's UTF-8 bytes, each written as its character.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        byte[] bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text)];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return string.Create(bytes.Length, bytes, static (chars, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                chars[i] = ByteToChar[source[i]];
            }
        });
    }

    /// <summary>
    /// Appends the bytes a token's characters stand for; a token with any character outside the
    /// alphabet (an added token such as "&lt;think&gt;" is inside it, one with a space is not) is
    /// appended as its own UTF-8, as Hugging Face's ByteLevel decoder does.
    /// </summary>
    public static void AppendBytes(string token, List<byte> output)
    {
        foreach (char c in token)
        {
            if (!CharToByte.ContainsKey(c))
            {
                output.AddRange(System.Text.Encoding.UTF8.GetBytes(token));
                return;
            }
        }

        foreach (char c in token)
        {
            output.Add(CharToByte[c]);
        }
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }
}
