namespace Reasoning.Core.Tasks.Countdown;

/// <summary>An exact fraction with a positive denominator, in lowest terms.</summary>
internal readonly record struct Rational(long Numerator, long Denominator)
{
    public static Rational Of(long n) => new(n, 1);

    /// <summary>Evaluates an expression exactly, collecting its numbers; false on division by zero or overflow.</summary>
    public static bool TryEvaluate(SyntaxNode node, List<long> numbers, out Rational value)
    {
        value = default;
        if (node.IsNumber)
        {
            numbers.Add(node.Value);
            value = Of(node.Value);
            return true;
        }

        if (!TryEvaluate(node.Left!, numbers, out Rational a) || !TryEvaluate(node.Right!, numbers, out Rational b))
        {
            return false;
        }

        try
        {
            checked
            {
                (long n, long d) = node.Op switch
                {
                    '+' => (a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator),
                    '-' => (a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator),
                    '*' => (a.Numerator * b.Numerator, a.Denominator * b.Denominator),
                    _ => (a.Numerator * b.Denominator, a.Denominator * b.Numerator),
                };
                if (d == 0)
                {
                    return false;
                }

                value = Normalise(n, d);
                return true;
            }
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static Rational Normalise(long n, long d)
    {
        if (d < 0)
        {
            n = checked(-n);
            d = checked(-d);
        }

        long g = (long)System.Numerics.BigInteger.GreatestCommonDivisor(n, d);
        return new Rational(n / g, d / g);
    }
}
