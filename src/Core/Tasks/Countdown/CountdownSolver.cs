namespace Reasoning.Core.Tasks.Countdown;

/// <summary>
/// Exhaustive search: can the numbers, each used exactly once, be combined into the target under
/// Countdown's rules (positive integer results, exact division)? Failed multisets are memoised,
/// so six numbers take well under a millisecond to refute.
/// </summary>
internal static class CountdownSolver
{
    public static bool CanReach(IReadOnlyList<long> numbers, long target)
    {
        long[] sorted = numbers.ToArray();
        Array.Sort(sorted);
        return Search(sorted, target, new HashSet<string>(StringComparer.Ordinal));
    }

    private static bool Search(long[] numbers, long target, HashSet<string> failed)
    {
        if (numbers.Length == 1)
        {
            return numbers[0] == target;
        }

        string key = string.Join(',', numbers);
        if (failed.Contains(key))
        {
            return false;
        }

        var rest = new long[numbers.Length - 1];
        Span<long> results = stackalloc long[4];
        for (int i = 0; i < numbers.Length; i++)
        {
            for (int j = i + 1; j < numbers.Length; j++)
            {
                if (j > i + 1 && numbers[j] == numbers[j - 1])
                {
                    continue; // the same pair of values was tried already
                }

                long a = numbers[j], b = numbers[i]; // sorted: a >= b
                int count = 0;
                if (a <= long.MaxValue - b)
                {
                    results[count++] = a + b;
                }

                if (a > b)
                {
                    results[count++] = a - b;
                }

                if (b > 1 && a <= long.MaxValue / b)
                {
                    results[count++] = a * b;
                }

                if (b > 1 && a % b == 0)
                {
                    results[count++] = a / b;
                }

                for (int r = 0; r < count; r++)
                {
                    FillRest(numbers, i, j, results[r], rest);
                    if (Search(rest, target, failed))
                    {
                        return true;
                    }
                }
            }

            while (i + 1 < numbers.Length && numbers[i + 1] == numbers[i])
            {
                i++; // the same first value was tried already
            }
        }

        failed.Add(key);
        return false;
    }

    /// <summary>The numbers without positions i and j, plus the result, kept sorted.</summary>
    private static void FillRest(long[] numbers, int i, int j, long result, long[] rest)
    {
        int k = 0;
        bool placed = false;
        for (int m = 0; m < numbers.Length; m++)
        {
            if (m == i || m == j)
            {
                continue;
            }

            if (!placed && result <= numbers[m])
            {
                rest[k++] = result;
                placed = true;
            }

            rest[k++] = numbers[m];
        }

        if (!placed)
        {
            rest[k] = result;
        }
    }
}
