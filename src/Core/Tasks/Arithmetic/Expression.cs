using System.Text;

namespace Reasoning.Core.Tasks.Arithmetic;

/// <summary>
/// An integer expression tree over +, - and *. Immutable; a leaf has <see cref="Op"/> = <see cref="Leaf"/>.
/// Rendering puts in exactly the parentheses that make <see cref="TryParse"/> give back the same tree.
/// </summary>
internal sealed record Expression(char Op, long Value, Expression? Left, Expression? Right)
{
    public const char Leaf = '\0';

    public bool IsLeaf => Op == Leaf;

    /// <summary>Both operands are numbers: this operation can be worked out next.</summary>
    public bool IsReducible => !IsLeaf && Left!.IsLeaf && Right!.IsLeaf;

    public static Expression Number(long value) => new(Leaf, value, null, null);

    public static Expression Apply(char op, Expression left, Expression right) => new(op, Evaluate(op, left.Value, right.Value), left, right);

    /// <exception cref="OverflowException">The result does not fit in 64 bits.</exception>
    public static long Evaluate(char op, long a, long b) => checked(op switch
    {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "operators are + - *"),
    });

    private static Expression? TryApply(char op, Expression left, Expression right)
    {
        try
        {
            return Apply(op, left, right);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        Render(this, text);
        return text.ToString();
    }

    private static void Render(Expression e, StringBuilder text)
    {
        if (e.IsLeaf)
        {
            text.Append(e.Value);
            return;
        }

        // Left operands need parentheses only under a tighter operator; right operands also under an
        // equal one, since the parser is left-associative: a-(b-c), a+(b+c), a*(b*c).
        RenderOperand(e.Left!, ExpressionSyntax.Precedence(e.Left!.Op) < ExpressionSyntax.Precedence(e.Op), text);
        text.Append(e.Op);
        RenderOperand(e.Right!, ExpressionSyntax.Precedence(e.Right!.Op) <= ExpressionSyntax.Precedence(e.Op), text);
    }

    private static void RenderOperand(Expression e, bool parenthesise, StringBuilder text)
    {
        if (parenthesise)
        {
            text.Append('(');
        }

        Render(e, text);
        if (parenthesise)
        {
            text.Append(')');
        }
    }

    /// <summary>Nodes whose two operands are numbers, left to right.</summary>
    public void CollectReducible(List<Expression> into)
    {
        if (IsLeaf)
        {
            return;
        }

        if (IsReducible)
        {
            into.Add(this);
            return;
        }

        Left!.CollectReducible(into);
        Right!.CollectReducible(into);
    }

    /// <summary>This tree with <paramref name="node"/> (by reference) replaced by its value.</summary>
    public Expression Reduce(Expression node)
    {
        if (ReferenceEquals(this, node))
        {
            return Number(Value);
        }

        if (IsLeaf)
        {
            return this;
        }

        Expression left = Left!.Reduce(node);
        Expression right = Right!.Reduce(node);
        return ReferenceEquals(left, Left) && ReferenceEquals(right, Right) ? this : this with { Left = left, Right = right };
    }

    /// <summary>Parses digits, + - *, and parentheses with the usual precedence. Null for anything else, or on overflow.</summary>
    public static Expression? TryParse(string text)
    {
        SyntaxNode? syntax = ExpressionSyntax.TryParse(text, "+-*");
        return syntax is null ? null : FromSyntax(syntax);
    }

    private static Expression? FromSyntax(SyntaxNode node)
    {
        if (node.IsNumber)
        {
            return Number(node.Value);
        }

        Expression? left = FromSyntax(node.Left!);
        Expression? right = left is null ? null : FromSyntax(node.Right!);
        return right is null ? null : TryApply(node.Op, left!, right);
    }
}
