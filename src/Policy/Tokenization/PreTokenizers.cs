using System.Globalization;
using System.Text.RegularExpressions;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// A tokenizer.json <c>pre_tokenizer</c>: cuts one normalized piece of text into the words the model
/// encodes separately. Empty words are dropped, as Hugging Face's PreTokenizedString drops them.
/// </summary>
internal abstract class PreTokenizer
{
    /// <summary>Appends the words of <paramref name="piece"/> to <paramref name="output"/>.</summary>
    public abstract void Split(string piece, List<string> output);
}

/// <summary><c>Sequence</c>: each step splits every word the previous step made.</summary>
internal sealed class SequencePreTokenizer(IReadOnlyList<PreTokenizer> steps) : PreTokenizer
{
    public override void Split(string piece, List<string> output)
    {
        List<string> current = [piece];
        foreach (var step in steps)
        {
            var next = new List<string>(current.Count * 2);
            foreach (string word in current)
            {
                step.Split(word, next);
            }

            current = next;
        }

        output.AddRange(current);
    }
}

/// <summary>
/// <c>Split</c> with the <c>Isolated</c> behaviour (every match and every gap between matches is a
/// word) or <c>Removed</c> (the gaps only).
/// </summary>
internal sealed class RegexSplitPreTokenizer(PatternSplitter splitter, bool removeMatches) : PreTokenizer
{
    public override void Split(string piece, List<string> output) => splitter.Split(piece, output, keepMatches: !removeMatches);
}

/// <summary>
/// <c>ByteLevel</c>: optionally a leading space and GPT-2's word split, then every word rewritten as
/// its UTF-8 bytes in <see cref="ByteLevelAlphabet"/>.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    /// <summary>GPT-2's pattern (openai/gpt-2 encoder.py), which Hugging Face's ByteLevel uses when use_regex is on.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly Lazy<PatternSplitter> Gpt2 = new(() => new PatternSplitter(Gpt2Pattern));

    public override void Split(string piece, List<string> output)
    {
        if (piece.Length == 0)
        {
            return;
        }

        if (addPrefixSpace && piece[0] != ' ')
        {
            piece = " " + piece;
        }

        if (!useRegex)
        {
            output.Add(ByteLevelAlphabet.Encode(piece));
            return;
        }

        var words = new List<string>();
        Gpt2.Value.Split(piece, words, keepMatches: true);
        foreach (string word in words)
        {
            output.Add(ByteLevelAlphabet.Encode(word));
        }
    }
}

/// <summary>
/// Splits text on a tokenizer.json regex with .NET's engine, which agrees with the Oniguruma engine
/// Hugging Face uses for these patterns but one thing: .NET matches UTF-16 code units, so a
/// character outside the Basic Multilingual Plane (𝑥, 😀, 𠀀) is two surrogates that match neither
/// <c>\p{L}</c> nor <c>\p{N}</c>. The splitter therefore matches a stand-in text in which each such
/// character is one BMP character of the same general category, and maps the matches back.
/// </summary>
internal sealed class PatternSplitter
{
    private static readonly char[] StandIns = FindStandIns();
    private readonly Regex _regex;

    /// <exception cref="ArgumentException">.NET cannot parse the pattern.</exception>
    public PatternSplitter(string pattern) =>
        _regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>Appends the non-empty matches (if <paramref name="keepMatches"/>) and the gaps between them, in order.</summary>
    public void Split(string text, List<string> output, bool keepMatches)
    {
        if (text.Length == 0)
        {
            return;
        }

        int[]? starts = null;
        ReadOnlySpan<char> subject = text;
        if (text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            (subject, starts) = StandInText(text);
        }

        int previous = 0;
        foreach (ValueMatch match in _regex.EnumerateMatches(subject))
        {
            if (match.Length == 0)
            {
                continue;
            }

            int start = starts is null ? match.Index : starts[match.Index];
            int end = starts is null ? match.Index + match.Length : starts[match.Index + match.Length];
            if (start > previous)
            {
                output.Add(text[previous..start]);
            }

            if (keepMatches)
            {
                output.Add(text[start..end]);
            }

            previous = end;
        }

        if (previous < text.Length)
        {
            output.Add(text[previous..]);
        }
    }

    /// <summary>The stand-in text and, for each of its positions (and its end), the position in <paramref name="text"/>.</summary>
    private static (string Text, int[] Starts) StandInText(string text)
    {
        var chars = new char[text.Length];
        var starts = new int[text.Length + 1];
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            starts[n] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                chars[n++] = StandIns[(int)category];
                i++;
            }
            else
            {
                chars[n++] = text[i];
            }
        }

        starts[n] = text.Length;
        return (new string(chars, 0, n), starts);
    }

    /// <summary>
    /// For each general category, the first BMP character from U+00A0 on that has it: never ASCII, so
    /// never a letter a case-insensitive pattern such as <c>(?i:'s|'t)</c> spells out.
    /// </summary>
    private static char[] FindStandIns()
    {
        var standIns = new char[32];
        for (int c = 0xFFFF; c >= 0x80; c--)
        {
            if (c is >= 0xD800 and <= 0xDFFF)
            {
                continue;
            }

            var category = CharUnicodeInfo.GetUnicodeCategory((char)c);
            if (c >= 0xA0 || standIns[(int)category] == '\0')
            {
                standIns[(int)category] = (char)c;
            }
        }

        return standIns;
    }
}
