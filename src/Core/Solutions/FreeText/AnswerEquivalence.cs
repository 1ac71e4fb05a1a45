using System.Text;

namespace Reasoning.Core.Solutions.FreeText;

/// <summary>
/// When two final answers are the same: both read as the same exact number, or else their normalised texts are equal.
/// Pure functions of their input; they never throw, and no answer (null, empty) equals nothing, not even itself.
/// <para>
/// <see cref="Normalize"/> makes these changes, in this order:
/// <list type="number">
/// <item>LaTeX that does not change the value goes: <c>\left</c>, <c>\right</c>, <c>\displaystyle</c>, the spacing commands
/// <c>\!</c> <c>\,</c> <c>\;</c> <c>\:</c> and <c>\ </c>, the degree marks <c>^\circ</c>, <c>^{\circ}</c> and <c>°</c>.</item>
/// <item><c>\text{…}</c>, <c>\textbf{…}</c>, <c>\textit{…}</c>, <c>\textrm{…}</c>, <c>\mathrm{…}</c>, <c>\mathbf{…}</c> and
/// <c>\mbox{…}</c> are unwrapped to their content (units inside them stay: <c>5\text{ cm}</c> is <c>5cm</c>, not 5).</item>
/// <item><c>\dfrac</c> and <c>\tfrac</c> become <c>\frac</c>.</item>
/// <item>Dollar signs (<c>$</c>, <c>\$</c>) and percent signs (<c>%</c>, <c>\%</c>) go wherever they are. A percentage is
/// its number: <c>25%</c> equals <c>25</c>, never <c>0.25</c> (datasets write "what percent…" answers as the number).</item>
/// <item>All white space goes; the Unicode minus (U+2212) becomes <c>-</c>; <c>{,}</c> becomes <c>,</c>.</item>
/// <item>Trailing punctuation (<c>. , ; : ! ?</c>) goes, and a leading <c>+</c>.</item>
/// </list>
/// Case is kept (<c>x</c> and <c>X</c> differ), and nothing else is rewritten: no units are stripped, no algebra done.
/// </para>
/// <para>
/// A normalised text is a number (<see cref="TryParseNumber"/>) when all of it is one of: a decimal with an optional minus,
/// optional thousands groups and an optional fraction (<c>-1,234.50</c>, <c>.5</c>, <c>7.</c>); <c>a/b</c>; or
/// <c>\frac{a}{b}</c> (also <c>\frac12</c>, and with a minus in front), with <c>a</c> and <c>b</c> decimals and
/// <c>b</c> not 0. Numbers are exact rationals: <c>3/4</c>, <c>0.75</c> and <c>\dfrac{3}{4}</c> are equal, <c>0.333</c>
/// and <c>1/3</c> are not. Numbers of more than 100 digits are compared as text.
/// </para>
/// </summary>
public static class AnswerEquivalence
{
    /// <summary>A longer answer equals nothing (no dataset's answer comes near it; model output can).</summary>
    public const int MaxAnswerLength = 1024;

    private static readonly string[] Unwrapped = ["text", "textbf", "textit", "textrm", "mathrm", "mathbf", "mbox"];
    private static readonly string[] Dropped = ["left", "right", "displaystyle"];

    /// <summary>
    /// Whether <paramref name="given"/> is the same answer as <paramref name="reference"/>: the same number if both are
    /// numbers, else the same normalised text. False when either is null, empty after normalising, or longer than
    /// <see cref="MaxAnswerLength"/>.
    /// </summary>
    public static bool AreEquivalent(string? reference, string? given)
    {
        if (reference is null || given is null || reference.Length > MaxAnswerLength || given.Length > MaxAnswerLength)
        {
            return false;
        }

        string a = Normalize(reference);
        string b = Normalize(given);
        if (a.Length == 0 || b.Length == 0)
        {
            return false;
        }

        return TryParseNumber(a, out ExactNumber x) && TryParseNumber(b, out ExactNumber y) ? x == y : a == b;
    }

    /// <summary>
    /// The canonical form of an answer: a number's shortest decimal (<c>1,234.00</c> → <c>1234</c>, <c>\frac{3}{4}</c> →
    /// <c>0.75</c>) or reduced fraction (<c>\frac{2}{6}</c> → <c>1/3</c>), else the normalised text. Empty for null.
    /// Answers equivalent under <see cref="AreEquivalent"/> have the same canonical form.
    /// </summary>
    public static string Canonical(string? answer)
    {
        string text = Normalize(answer);
        return TryParseNumber(text, out ExactNumber number) ? number.ToString() : text;
    }

    /// <summary>The answer with the changes listed on <see cref="AnswerEquivalence"/> made; empty for null.</summary>
    public static string Normalize(string? answer)
    {
        if (string.IsNullOrEmpty(answer))
        {
            return "";
        }

        var text = new StringBuilder(answer.Length);
        // One entry per open brace: whether its closing brace is dropped (it closes an unwrapped \text{...}).
        var braces = new Stack<bool>();
        int i = 0;
        while (i < answer.Length)
        {
            char c = answer[i];
            if (c == '\\')
            {
                i = Command(answer, i, text, braces);
            }
            else if (c == '^' && TryDegree(answer, i, out int after))
            {
                i = after;
            }
            else
            {
                if (c == '{')
                {
                    braces.Push(false);
                    text.Append(c);
                }
                else if (c == '}')
                {
                    if (!braces.TryPop(out bool drop) || !drop)
                    {
                        text.Append(c);
                    }
                }
                else if (c == '\u2212')
                {
                    text.Append('-');
                }
                else if (c is not ('$' or '%' or '°') && !char.IsWhiteSpace(c))
                {
                    text.Append(c);
                }

                i++;
            }
        }

        text.Replace("{,}", ",");
        int end = text.Length;
        while (end > 0 && text[end - 1] is '.' or ',' or ';' or ':' or '!' or '?')
        {
            end--;
        }

        int start = end > 1 && text[0] == '+' ? 1 : 0;
        return text.ToString(start, end - start);
    }

    /// <summary>Reads the command at <paramref name="at"/> (a backslash), writes what is kept of it, returns where reading goes on.</summary>
    private static int Command(string answer, int at, StringBuilder text, Stack<bool> braces)
    {
        int nameStart = at + 1;
        if (nameStart >= answer.Length)
        {
            text.Append('\\');
            return nameStart;
        }

        char first = answer[nameStart];
        if (!char.IsAsciiLetter(first))
        {
            // A one-character command: spacing and escaped signs go, the rest (\{, \}, \\) stays as written.
            if (first is not ('!' or ',' or ';' or ':' or '%' or '$') && !char.IsWhiteSpace(first))
            {
                text.Append('\\').Append(first);
            }

            return nameStart + 1;
        }

        int nameEnd = nameStart;
        while (nameEnd < answer.Length && char.IsAsciiLetter(answer[nameEnd]))
        {
            nameEnd++;
        }

        string name = answer[nameStart..nameEnd];
        if (Dropped.Contains(name))
        {
            return nameEnd;
        }

        if (Unwrapped.Contains(name))
        {
            int open = nameEnd;
            while (open < answer.Length && char.IsWhiteSpace(answer[open]))
            {
                open++;
            }

            if (open < answer.Length && answer[open] == '{')
            {
                braces.Push(true);
                return open + 1;
            }

            return nameEnd; // \text without an argument: the command alone goes
        }

        text.Append('\\').Append(name is "dfrac" or "tfrac" ? "frac" : name);
        return nameEnd;
    }

    /// <summary>Whether <c>^\circ</c> or <c>^{\circ}</c> starts at <paramref name="at"/>; <paramref name="after"/> is where it ends.</summary>
    private static bool TryDegree(string answer, int at, out int after)
    {
        foreach (string degree in (ReadOnlySpan<string>)["^\\circ", "^{\\circ}"])
        {
            if (string.CompareOrdinal(answer, at, degree, 0, degree.Length) == 0
                && (at + degree.Length >= answer.Length || !char.IsAsciiLetter(answer[at + degree.Length]) || degree[^1] == '}'))
            {
                after = at + degree.Length;
                return true;
            }
        }

        after = at;
        return false;
    }

    /// <summary>Reads a normalised answer as an exact number (the forms listed on <see cref="AnswerEquivalence"/>).</summary>
    internal static bool TryParseNumber(string normalized, out ExactNumber number)
    {
        number = default;
        if (normalized.Length == 0 || normalized.Length > 4 * ExactNumber.MaxDigits)
        {
            return false;
        }

        if (ExactNumber.TryParseDecimal(normalized, out number))
        {
            return true;
        }

        ReadOnlySpan<char> text = normalized;
        bool negative = text[0] == '-' && text.Length > 1 && text[1] == '\\';
        ReadOnlySpan<char> body = negative ? text[1..] : text;
        if (body.StartsWith("\\frac"))
        {
            ReadOnlySpan<char> rest = body[5..];
            if (TryArgument(ref rest, out ReadOnlySpan<char> top) && TryArgument(ref rest, out ReadOnlySpan<char> bottom) && rest.Length == 0
                && ExactNumber.TryParseDecimal(top, out ExactNumber a) && ExactNumber.TryParseDecimal(bottom, out ExactNumber b)
                && a.TryDivide(b, out number))
            {
                number = negative ? number.Negate() : number;
                return true;
            }

            return false;
        }

        int slash = text.IndexOf('/');
        return slash > 0 && text[(slash + 1)..].IndexOf('/') < 0
            && ExactNumber.TryParseDecimal(text[..slash], out ExactNumber numerator)
            && ExactNumber.TryParseDecimal(text[(slash + 1)..], out ExactNumber denominator)
            && numerator.TryDivide(denominator, out number);
    }

    /// <summary>A LaTeX argument: <c>{…}</c> without nested braces, or one character (<c>\frac12</c>).</summary>
    private static bool TryArgument(ref ReadOnlySpan<char> text, out ReadOnlySpan<char> argument)
    {
        argument = default;
        if (text.Length == 0)
        {
            return false;
        }

        if (text[0] != '{')
        {
            argument = text[..1];
            text = text[1..];
            return true;
        }

        int close = text.IndexOf('}');
        if (close < 0 || text[1..close].IndexOf('{') >= 0)
        {
            return false;
        }

        argument = text[1..close];
        text = text[(close + 1)..];
        return true;
    }
}
