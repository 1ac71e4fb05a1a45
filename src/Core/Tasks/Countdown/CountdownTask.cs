using System.Globalization;
using System.Text;
using Reasoning.Core.Problems;

namespace Reasoning.Core.Tasks.Countdown;

/// <summary>
/// Countdown, as in TinyZero: reach the target from the given numbers with + - * /, every number
/// used exactly once. <c>3 5 25 -&gt; 90</c> → <c>25+5=30</c>, <c>30*3=90</c>, <c>answer: (25+5)*3</c>.
/// Each step combines two available numbers into a new one; results must be positive integers
/// (a-b needs a&gt;b, a/b must divide exactly). The answer is one expression over all the numbers,
/// evaluated exactly. Difficulty is the number of steps (one fewer than the numbers).
/// The step checker searches whether the target is still reachable from what remains.
/// </summary>
public sealed class CountdownTask : IReasoningTask
{
    public const int MaxNumber = 20;
    public const int MaxValue = 99;
    private const string Arrow = " -> ";

    public string Name => "countdown";

    public string Description => "reach the target from the given numbers with + - * /, each number used once, one operation per step";

    public int MinDifficulty => 1;

    public int MaxDifficulty => 5;

    public string Alphabet => "0123456789+-*/()=> ";

    public Problem Generate(int difficulty, DeterministicRandom random)
    {
        this.ValidateDifficulty(difficulty);
        int count = difficulty + 1;
        var pool = new List<Item>(count);
        for (int i = 0; i < count; i++)
        {
            int n = random.Next(1, MaxNumber + 1);
            pool.Add(new Item(n, n.ToString(CultureInfo.InvariantCulture), 3));
        }

        long[] numbers = pool.Select(p => p.Value).Order().ToArray();
        var steps = new List<string>(difficulty);
        Span<char> ops = stackalloc char[4];
        while (pool.Count > 1)
        {
            int i = random.Next(pool.Count);
            int j = random.Next(pool.Count - 1);
            j += j >= i ? 1 : 0;
            Item a = pool[i], b = pool[j];
            if (a.Value < b.Value)
            {
                (a, b) = (b, a);
            }

            // With a >= b, one of +, -, / is always allowed: a-b when a > b, a/a = 1 when a = b > 1, 1+1.
            int allowed = 0;
            if (a.Value + b.Value <= MaxValue)
            {
                ops[allowed++] = '+';
            }

            if (a.Value > b.Value)
            {
                ops[allowed++] = '-';
            }

            if (b.Value > 1 && a.Value * b.Value <= MaxValue)
            {
                ops[allowed++] = '*';
            }

            if (b.Value > 1 && a.Value % b.Value == 0)
            {
                ops[allowed++] = '/';
            }

            char op = ops[random.Next(allowed)];
            long value = Apply(op, a.Value, b.Value);
            steps.Add($"{a.Value}{op}{b.Value}={value}");
            pool.Remove(a);
            pool.Remove(b);
            pool.Add(Combine(op, a, b, value));
        }

        string prompt = string.Join(' ', numbers) + Arrow + pool[0].Value.ToString(CultureInfo.InvariantCulture);
        return Problem.Create(Name, difficulty, prompt, pool[0].Text, steps);
    }

    /// <summary>A number in the pool with the expression that makes it and that expression's precedence.</summary>
    private sealed record Item(long Value, string Text, int Precedence);

    private static Item Combine(char op, Item a, Item b, long value)
    {
        int precedence = ExpressionSyntax.Precedence(op);
        // Exact (rational) evaluation makes a*(b/c) = a*b/c, so only - and / need their right operand bracketed at equal precedence.
        bool rightNeedsBrackets = b.Precedence < precedence || (b.Precedence == precedence && op is '-' or '/');
        var text = new StringBuilder();
        text.Append(a.Precedence < precedence ? $"({a.Text})" : a.Text).Append(op).Append(rightNeedsBrackets ? $"({b.Text})" : b.Text);
        return new Item(value, text.ToString(), precedence);
    }

    private static long Apply(char op, long a, long b) => op switch
    {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        _ => a / b,
    };

    public bool VerifyAnswer(Problem problem, string? answer)
    {
        if (!TryParsePrompt(problem.Prompt, out List<long> numbers, out long target))
        {
            return false;
        }

        SyntaxNode? expression = ExpressionSyntax.TryParse(answer?.Trim(), "+-*/");
        if (expression is null)
        {
            return false;
        }

        var used = new List<long>();
        if (!Rational.TryEvaluate(expression, used, out Rational value) || !value.Equals(Rational.Of(target)))
        {
            return false;
        }

        numbers.Sort();
        used.Sort();
        return numbers.SequenceEqual(used);
    }

    public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps)
    {
        var verdicts = new StepVerdict[steps.Count];
        if (!TryParsePrompt(problem.Prompt, out List<long> available, out long target))
        {
            Array.Fill(verdicts, StepVerdict.Invalid("the question is not of the form '3 5 25 -> 90'"));
            return verdicts;
        }

        for (int i = 0; i < steps.Count; i++)
        {
            string? invalid = Apply(steps[i], available);
            if (invalid is not null)
            {
                verdicts[i] = StepVerdict.Invalid(invalid);
                StepVerdicts.FillAfterInvalid(verdicts, i + 1);
                break;
            }

            verdicts[i] = CountdownSolver.CanReach(available, target)
                ? StepVerdict.Good(isFinal: available.Count == 1)
                : StepVerdict.DeadEnd($"{target} cannot be reached from {string.Join(' ', available)}");
        }

        return verdicts;
    }

    /// <summary>Applies one step to the available numbers; returns why it is invalid, or null.</summary>
    private static string? Apply(string text, List<long> available)
    {
        if (!BinaryStep.TryParse(text, "+-*/", out BinaryStep step))
        {
            return "not an operation of the form a+b=c";
        }

        (long a, char op, long b) = (step.Left, step.Op, step.Right);
        if (op == '-' && a <= b)
        {
            return $"{a}-{b} is not positive";
        }

        if (op == '/' && (b == 0 || a % b != 0))
        {
            return $"{a}/{b} does not divide exactly";
        }

        long value = Apply(op, a, b);
        if (value != step.Result)
        {
            return $"{a}{op}{b} is {value}, not {step.Result}";
        }

        int first = available.IndexOf(a);
        if (first < 0)
        {
            return $"{a} is not available (available: {string.Join(' ', available)})";
        }

        available.RemoveAt(first);
        int second = available.IndexOf(b);
        if (second < 0)
        {
            string reason = $"{b} is not available (available: {string.Join(' ', available)} after taking {a})";
            available.Insert(first, a);
            return reason;
        }

        available.RemoveAt(second);
        available.Add(value);
        return null;
    }

    /// <summary>Reads <c>3 5 25 -&gt; 90</c>.</summary>
    internal static bool TryParsePrompt(string prompt, out List<long> numbers, out long target)
    {
        numbers = new List<long>();
        target = 0;
        int arrow = prompt.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0)
        {
            return false;
        }

        foreach (string part in prompt[..arrow].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int at = 0;
            if (!BinaryStep.TryNumber(part, ref at, allowSign: false, out long n) || at != part.Length || n == 0)
            {
                return false;
            }

            numbers.Add(n);
        }

        string tail = prompt[(arrow + 2)..].Trim();
        int end = 0;
        return numbers.Count >= 1 && BinaryStep.TryNumber(tail, ref end, allowSign: false, out target) && end == tail.Length;
    }
}
