namespace Reasoning.Core.Solutions.FreeText;

/// <summary>
/// Finds the final answer in free text. Pure functions that never throw on any string (model output is untrusted):
/// text without an answer gives null. They return the answer as written, trimmed; compare answers with
/// <see cref="AnswerEquivalence"/>.
/// </summary>
public static class AnswerExtraction
{
    /// <summary>GSM8K's answer mark: the reference solutions end <c>#### 42</c>.</summary>
    public const string Gsm8kMarker = "####";

    /// <summary>
    /// The answer after the last <c>####</c>, up to the end of its line, trimmed: <c>"... so 72.\n#### 72"</c> → <c>72</c>.
    /// Null when there is no mark or nothing follows it on its line.
    /// </summary>
    public static string? Gsm8k(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        int mark = text.LastIndexOf(Gsm8kMarker, StringComparison.Ordinal);
        if (mark < 0)
        {
            return null;
        }

        int start = mark + Gsm8kMarker.Length;
        int end = text.AsSpan(start).IndexOfAny('\n', '\r');
        return NullIfEmpty(text.AsSpan(start, end < 0 ? text.Length - start : end).Trim());
    }

    /// <summary>
    /// The content of the last <c>\boxed{…}</c> or <c>\fbox{…}</c>, nested braces balanced (<c>\boxed{\frac{1}{2}}</c> →
    /// <c>\frac{1}{2}</c>; escaped braces <c>\{</c> <c>\}</c> do not count), trimmed. <c>\boxed 5</c> (a space, then
    /// an argument without braces) gives what follows up to the next white space or <c>$</c>. Null when there is none,
    /// when the last one's braces never close (the text was cut off, say), or when it is empty. Only the last one
    /// counts: an earlier, balanced one is not used instead.
    /// </summary>
    public static string? Boxed(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        // Each search resumes where it stopped, so a text full of look-alike commands is still read in linear time.
        int boxed = text.LastIndexOf("\\boxed", StringComparison.Ordinal);
        int fbox = text.LastIndexOf("\\fbox", StringComparison.Ordinal);
        while (boxed >= 0 || fbox >= 0)
        {
            int at = Math.Max(boxed, fbox);
            int after = at + (at == boxed ? "\\boxed".Length : "\\fbox".Length);
            if (after == text.Length)
            {
                return null; // cut off right after the command
            }

            if (text[after] == '{' || char.IsWhiteSpace(text[after]))
            {
                return Argument(text, after);
            }

            // Another command that starts the same way (\boxedfoo): look further back.
            if (at == boxed)
            {
                boxed = at == 0 ? -1 : text.LastIndexOf("\\boxed", at - 1, StringComparison.Ordinal);
            }
            else
            {
                fbox = at == 0 ? -1 : text.LastIndexOf("\\fbox", at - 1, StringComparison.Ordinal);
            }
        }

        return null;
    }

    /// <summary>The last non-empty line, trimmed; null when every line is blank.</summary>
    public static string? Plain(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        ReadOnlySpan<char> rest = text.AsSpan().TrimEnd();
        int lineStart = rest.LastIndexOfAny('\n', '\r') + 1;
        return NullIfEmpty(rest[lineStart..].Trim());
    }

    /// <summary>The answer in <paramref name="text"/> as <paramref name="format"/> marks it (see <see cref="AnswerFormat"/>).</summary>
    public static string? Extract(this AnswerFormat format, string? text) => format switch
    {
        AnswerFormat.Gsm8k => Gsm8k(text),
        AnswerFormat.Boxed => Boxed(text),
        AnswerFormat.Plain => Plain(text),
        _ => null,
    };

    /// <summary>The argument that starts at <paramref name="at"/>, just after the command's name.</summary>
    private static string? Argument(string text, int at)
    {
        while (at < text.Length && char.IsWhiteSpace(text[at]))
        {
            at++;
        }

        if (at >= text.Length)
        {
            return null;
        }

        if (text[at] != '{')
        {
            int stop = text.AsSpan(at).IndexOfAny(" \t\r\n$");
            return NullIfEmpty(text.AsSpan(at, stop < 0 ? text.Length - at : stop).Trim());
        }

        int depth = 0;
        for (int i = at; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\')
            {
                i++; // an escaped character, \{ and \} among them, does not open or close
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return NullIfEmpty(text.AsSpan(at + 1, i - at - 1).Trim());
            }
        }

        return null;
    }

    private static string? NullIfEmpty(ReadOnlySpan<char> text) => text.IsEmpty ? null : text.ToString();
}
