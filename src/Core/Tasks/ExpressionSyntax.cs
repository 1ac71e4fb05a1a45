namespace Reasoning.Core.Tasks;

/// <summary>A parsed expression: a number (<see cref="Op"/> = <see cref="Number"/>) or an operation on two operands.</summary>
internal sealed record SyntaxNode(char Op, long Value, SyntaxNode? Left, SyntaxNode? Right)
{
    public const char Number = '\0';

    public bool IsNumber => Op == Number;
}

/// <summary>
/// Parses integer expressions over a chosen set of operators among + - * /, with parentheses and the
/// usual precedence (* and / bind tighter; all left-associative). Never throws: anything else,
/// numbers of more than 9 digits, text longer than <see cref="MaxLength"/> or nesting deeper than
/// <see cref="MaxDepth"/> give null.
/// </summary>
internal static class ExpressionSyntax
{
    public const int MaxLength = 512;
    public const int MaxDepth = 64;

    public static SyntaxNode? TryParse(string? text, string operators)
    {
        if (text is null || text.Length > MaxLength)
        {
            return null;
        }

        var parser = new Parser(text, operators);
        SyntaxNode? result = parser.ParseSum(0);
        return result is not null && parser.AtEnd ? result : null;
    }

    public static int Precedence(char op) => op switch
    {
        '+' or '-' => 1,
        '*' or '/' => 2,
        _ => 3,
    };

    private sealed class Parser(string text, string operators)
    {
        private int _at;

        public bool AtEnd => Peek() == '\0' && _at == text.Length;

        public SyntaxNode? ParseSum(int depth) => ParseLevel(depth, 1);

        private SyntaxNode? ParseLevel(int depth, int precedence)
        {
            SyntaxNode? left = precedence == 1 ? ParseLevel(depth, 2) : ParseOperand(depth);
            while (left is not null && IsOperator(Peek(), precedence))
            {
                char op = text[_at++];
                SyntaxNode? right = precedence == 1 ? ParseLevel(depth, 2) : ParseOperand(depth);
                left = right is null ? null : new SyntaxNode(op, 0, left, right);
            }

            return left;
        }

        private bool IsOperator(char c, int precedence) => c != '\0' && operators.Contains(c) && Precedence(c) == precedence;

        private SyntaxNode? ParseOperand(int depth)
        {
            char c = Peek();
            if (c == '(')
            {
                if (depth >= MaxDepth)
                {
                    return null;
                }

                _at++;
                SyntaxNode? inner = ParseSum(depth + 1);
                if (inner is null || Peek() != ')')
                {
                    return null;
                }

                _at++;
                return inner;
            }

            int at = _at;
            if (!BinaryStep.TryNumber(text, ref at, allowSign: false, out long value) || (at < text.Length && char.IsAsciiDigit(text[at])))
            {
                return null;
            }

            _at = at;
            return new SyntaxNode(SyntaxNode.Number, value, null, null);
        }

        private char Peek()
        {
            while (_at < text.Length && text[_at] == ' ')
            {
                _at++;
            }

            return _at < text.Length ? text[_at] : '\0';
        }
    }
}
