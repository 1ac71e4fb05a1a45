using System.Globalization;
using Reasoning.Core.Problems;

namespace Reasoning.Core.Tasks.Arithmetic;

/// <summary>
/// Evaluate an integer expression over +, - and * with parentheses, one reduction per step:
/// <c>(3+4)*5-6</c> → <c>3+4=7</c>, <c>7*5=35</c>, <c>35-6=29</c>, <c>answer: 29</c>.
/// Difficulty is the number of operations. Operands are 1..<see cref="MaxOperand"/> and every
/// intermediate value lies in 0..<see cref="MaxValue"/>, so each step is one- or two-digit
/// arithmetic that a model of about a million parameters can learn; depth comes from the count.
/// </summary>
public sealed class ArithmeticTask : IReasoningTask
{
    public const int MaxOperand = 20;
    public const int MaxValue = 99;
    private const int MaxTrackedStates = 64;

    public string Name => "arithmetic";

    public string Description => "evaluate an integer expression (+, -, *, parentheses), one operation per step";

    public int MinDifficulty => 1;

    public int MaxDifficulty => 10;

    public string Alphabet => "0123456789+-*()=";

    public Problem Generate(int difficulty, DeterministicRandom random)
    {
        this.ValidateDifficulty(difficulty);
        Expression root = Build(difficulty, random);
        var steps = new List<string>(difficulty);
        var reducible = new List<Expression>(difficulty);
        Expression state = root;
        while (!state.IsLeaf)
        {
            // The reference works out the leftmost operation whose operands are both numbers.
            reducible.Clear();
            state.CollectReducible(reducible);
            Expression next = reducible[0];
            steps.Add($"{next.Left!.Value}{next.Op}{next.Right!.Value}={next.Value}");
            state = state.Reduce(next);
        }

        return Problem.Create(Name, difficulty, root.ToString(), root.Value.ToString(CultureInfo.InvariantCulture), steps);
    }

    /// <summary>A random tree with <paramref name="operations"/> operations whose values all stay in range.</summary>
    private static Expression Build(int operations, DeterministicRandom random)
    {
        if (operations == 0)
        {
            return Expression.Number(random.Next(1, MaxOperand + 1));
        }

        int leftOperations = random.Next(operations);
        Expression left = Build(leftOperations, random);
        Expression right = Build(operations - 1 - leftOperations, random);
        if (left.Value < right.Value && left.Value + right.Value > MaxValue)
        {
            // Neither + nor - would stay in range this way round; the other way round, - does.
            (left, right) = (right, left);
        }

        Span<char> allowed = stackalloc char[3];
        int count = 0;
        if (left.Value + right.Value <= MaxValue)
        {
            allowed[count++] = '+';
        }

        if (left.Value >= right.Value)
        {
            allowed[count++] = '-';
        }

        if (left.Value * right.Value <= MaxValue)
        {
            allowed[count++] = '*';
        }

        return Expression.Apply(allowed[random.Next(count)], left, right);
    }

    /// <summary>Judged against the question itself: the answer must be the expression's value.</summary>
    public bool VerifyAnswer(Problem problem, string? answer) =>
        BinaryStep.TryParseInteger(answer, out long given) && Expression.TryParse(problem.Prompt) is { } expression && given == expression.Value;

    public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps)
    {
        var verdicts = new StepVerdict[steps.Count];
        Expression? root = Expression.TryParse(problem.Prompt);
        if (root is null)
        {
            Array.Fill(verdicts, StepVerdict.Invalid("the question is not an arithmetic expression"));
            return verdicts;
        }

        // Several operations can look alike (2*3+2*3); every reading is followed until one fails.
        var states = new List<Expression> { root };
        var next = new List<Expression>();
        var reducible = new List<Expression>();
        for (int i = 0; i < steps.Count; i++)
        {
            string? problemWithStep = Judge(steps[i], states, next, reducible);
            if (problemWithStep is not null)
            {
                verdicts[i] = StepVerdict.Invalid(problemWithStep);
                StepVerdicts.FillAfterInvalid(verdicts, i + 1);
                break;
            }

            (states, next) = (next, states);
            verdicts[i] = StepVerdict.Good(isFinal: states[0].IsLeaf);
        }

        return verdicts;
    }

    /// <summary>Fills <paramref name="next"/> with the states the step can lead to; returns why it is invalid, or null.</summary>
    private static string? Judge(string text, List<Expression> states, List<Expression> next, List<Expression> reducible)
    {
        if (!BinaryStep.TryParse(text, "+-*", out BinaryStep step))
        {
            return "not an operation of the form a+b=c";
        }

        long value = Expression.Evaluate(step.Op, step.Left, step.Right);
        if (value != step.Result)
        {
            return $"{step.Left}{step.Op}{step.Right} is {value}, not {step.Result}";
        }

        next.Clear();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Expression state in states)
        {
            reducible.Clear();
            state.CollectReducible(reducible);
            foreach (Expression node in reducible)
            {
                if (node.Op == step.Op && Matches(node, step) && next.Count < MaxTrackedStates)
                {
                    Expression reduced = state.Reduce(node);
                    if (seen.Add(reduced.ToString()))
                    {
                        next.Add(reduced);
                    }
                }
            }
        }

        return next.Count > 0 ? null : $"{step.Left}{step.Op}{step.Right} is not an operation that can be worked out next in {states[0]}";
    }

    private static bool Matches(Expression node, BinaryStep step)
    {
        long left = node.Left!.Value;
        long right = node.Right!.Value;
        // + and * are commutative: 4+3=7 works out 3+4 as well.
        return (left == step.Left && right == step.Right) || (step.Op != '-' && left == step.Right && right == step.Left);
    }
}
