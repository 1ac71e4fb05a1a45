namespace Reasoning.Core.Tasks;

/// <summary>
/// A step of the form <c>a op b = c</c> with non-negative integer operands (at most 9 digits) and an
/// integer result, e.g. <c>12*3=36</c>. Spaces around the parts are allowed. Parsing never throws.
/// </summary>
internal readonly record struct BinaryStep(long Left, char Op, long Right, long Result)
{
    public override string ToString() => $"{Left}{Op}{Right}={Result}";

    public static bool TryParse(string text, string operators, out BinaryStep step)
    {
        step = default;
        int at = 0;
        if (!TryNumber(text, ref at, allowSign: false, out long left))
        {
            return false;
        }

        SkipSpaces(text, ref at);
        if (at >= text.Length || operators.IndexOf(text[at]) < 0)
        {
            return false;
        }

        char op = text[at++];
        if (!TryNumber(text, ref at, allowSign: false, out long right))
        {
            return false;
        }

        SkipSpaces(text, ref at);
        if (at >= text.Length || text[at] != '=')
        {
            return false;
        }

        at++;
        if (!TryNumber(text, ref at, allowSign: true, out long result))
        {
            return false;
        }

        SkipSpaces(text, ref at);
        if (at != text.Length)
        {
            return false;
        }

        step = new BinaryStep(left, op, right, result);
        return true;
    }

    /// <summary>The whole of <paramref name="text"/>, trimmed, as an integer of at most 9 digits with an optional minus.</summary>
    public static bool TryParseInteger(string? text, out long value)
    {
        value = 0;
        string trimmed = text?.Trim() ?? "";
        int at = 0;
        return trimmed.Length > 0 && TryNumber(trimmed, ref at, allowSign: true, out value) && at == trimmed.Length;
    }

    /// <summary>Reads an integer of at most 9 digits (an optional leading minus when allowed).</summary>
    public static bool TryNumber(string text, ref int at, bool allowSign, out long value)
    {
        value = 0;
        SkipSpaces(text, ref at);
        bool negative = false;
        if (allowSign && at < text.Length && text[at] == '-')
        {
            negative = true;
            at++;
        }

        int start = at;
        while (at < text.Length && char.IsAsciiDigit(text[at]))
        {
            if (at - start == 9)
            {
                return false;
            }

            value = value * 10 + (text[at] - '0');
            at++;
        }

        if (at == start)
        {
            return false;
        }

        value = negative ? -value : value;
        return true;
    }

    private static void SkipSpaces(string text, ref int at)
    {
        while (at < text.Length && text[at] == ' ')
        {
            at++;
        }
    }
}
