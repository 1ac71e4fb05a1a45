using Reasoning.Core.Tasks.ShortestPath;

namespace Reasoning.Tests.Core;

/// <summary>Ways to spoil one reference step, each known to give an invalid step.</summary>
internal static class Perturbations
{
    /// <summary>
    /// A changed digit always breaks the step, except in an arithmetic product with a zero operand
    /// (0*7=0 stays true when the 7 changes), which is skipped.
    /// </summary>
    public static bool DigitChangeCanKeepTheStepTrue(string step, int at)
    {
        int times = step.IndexOf('*');
        int equals = step.IndexOf('=');
        if (times < 0 || at > equals)
        {
            return false;
        }

        return step[..times] == "0" || step[(times + 1)..equals] == "0";
    }

    /// <summary>
    /// Replaces an operand by a number the problem cannot contain (every value in these tasks is
    /// below 100) and recomputes the result, or, for a path, starts the move from the wrong node.
    /// </summary>
    public static string WrongOperand(string task, string step)
    {
        if (task == "shortest-path")
        {
            char from = step[0];
            char other = from == 'A' ? 'B' : 'A';
            return other + step[1..];
        }

        int opAt = step.IndexOfAny(['+', '-', '*', '/'], 1);
        long left = long.Parse(step[..opAt]);
        char op = step[opAt];
        long right = long.Parse(step[(opAt + 1)..step.IndexOf('=')]);
        long wrong = 100 + left;
        if (op == '/')
        {
            wrong = 100 * right; // still divides exactly
        }

        long result = op switch
        {
            '+' => wrong + right,
            '-' => wrong - right,
            '*' => wrong * right,
            _ => wrong / right,
        };
        return $"{wrong}{op}{right}={result}";
    }

    public static char NodeName(int node) => (char)('A' + node);

    public static int MaxWeight => ShortestPathTask.MaxWeight;
}
