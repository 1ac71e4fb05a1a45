using System.Globalization;
using System.Numerics;
using System.Text;

namespace Reasoning.Core.Solutions.FreeText;

/// <summary>
/// An exact rational number (numerator over a positive denominator, in lowest terms), so <c>3/4</c>, <c>0.75</c> and
/// <c>\frac{3}{4}</c> compare equal without the rounding of doubles.
/// </summary>
internal readonly record struct ExactNumber(BigInteger Numerator, BigInteger Denominator)
{
    /// <summary>Numbers with more digits than this are not read as numbers (their text is compared instead).</summary>
    public const int MaxDigits = 100;

    /// <summary>n / d in lowest terms with a positive denominator; false when d is 0.</summary>
    public static bool TryCreate(BigInteger numerator, BigInteger denominator, out ExactNumber number)
    {
        number = default;
        if (denominator.IsZero)
        {
            return false;
        }

        if (denominator.Sign < 0)
        {
            (numerator, denominator) = (-numerator, -denominator);
        }

        BigInteger divisor = BigInteger.GreatestCommonDivisor(numerator, denominator);
        number = divisor.IsOne || divisor.IsZero ? new ExactNumber(numerator, denominator) : new ExactNumber(numerator / divisor, denominator / divisor);
        return true;
    }

    /// <summary>
    /// A decimal literal: optional minus, digits with optional thousands groups (<c>1,234,567</c>), optional fraction
    /// (<c>.5</c>, <c>2.</c> and <c>2.50</c> allowed). The whole of <paramref name="text"/> must match.
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> text, out ExactNumber number)
    {
        number = default;
        if (text.Length > 2 * MaxDigits)
        {
            return false;
        }

        bool negative = text.Length > 0 && text[0] == '-';
        ReadOnlySpan<char> body = negative ? text[1..] : text;
        int dot = body.IndexOf('.');
        ReadOnlySpan<char> whole = dot < 0 ? body : body[..dot];
        ReadOnlySpan<char> fraction = dot < 0 ? [] : body[(dot + 1)..];
        if ((whole.Length == 0 && fraction.Length == 0) || !AllDigits(fraction))
        {
            return false;
        }

        var digits = new StringBuilder(whole.Length + fraction.Length);
        if (whole.Contains(','))
        {
            // Thousands groups: 1 to 3 digits, then groups of exactly 3 ("1,234"; not "1,2" or "12,34").
            int group = 0;
            int groups = 0;
            foreach (char c in whole)
            {
                if (c == ',')
                {
                    if (group == 0 || (groups == 0 ? group > 3 : group != 3))
                    {
                        return false;
                    }

                    groups++;
                    group = 0;
                }
                else if (char.IsAsciiDigit(c))
                {
                    digits.Append(c);
                    group++;
                }
                else
                {
                    return false;
                }
            }

            if (group != 3)
            {
                return false;
            }
        }
        else if (AllDigits(whole))
        {
            digits.Append(whole);
        }
        else
        {
            return false;
        }

        digits.Append(fraction);
        if (digits.Length == 0 || digits.Length > MaxDigits)
        {
            return false;
        }

        BigInteger numerator = BigInteger.Parse(digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        return TryCreate(negative ? -numerator : numerator, BigInteger.Pow(10, fraction.Length), out number);
    }

    public bool TryDivide(ExactNumber divisor, out ExactNumber quotient) =>
        TryCreate(Numerator * divisor.Denominator, Denominator * divisor.Numerator, out quotient);

    public ExactNumber Negate() => new(-Numerator, Denominator);

    /// <summary>
    /// The shortest decimal when the expansion ends (<c>1234</c>, <c>0.75</c>, <c>-2.5</c>), else the reduced fraction
    /// (<c>1/3</c>, <c>-2/3</c>). Invariant culture, no thousands separators, no trailing zeros, never <c>-0</c>.
    /// </summary>
    public override string ToString()
    {
        if (Denominator.IsOne)
        {
            return Numerator.ToString(CultureInfo.InvariantCulture);
        }

        // A fraction in lowest terms has a finite decimal expansion when its denominator is 2^a 5^b.
        BigInteger rest = Denominator;
        int twos = 0, fives = 0;
        while (rest.IsEven)
        {
            rest /= 2;
            twos++;
        }

        while ((rest % 5).IsZero)
        {
            rest /= 5;
            fives++;
        }

        if (!rest.IsOne)
        {
            return $"{Numerator.ToString(CultureInfo.InvariantCulture)}/{Denominator.ToString(CultureInfo.InvariantCulture)}";
        }

        int places = Math.Max(twos, fives);
        BigInteger scaled = BigInteger.Abs(Numerator) * (BigInteger.Pow(10, places) / Denominator);
        string digits = scaled.ToString(CultureInfo.InvariantCulture).PadLeft(places + 1, '0');
        string text = $"{digits[..^places]}.{digits[^places..]}".TrimEnd('0');
        return Numerator.Sign < 0 ? "-" + text : text;
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
