namespace Reasoning.Core.Problems;

/// <summary>
/// A small, fast, seeded random source (SplitMix64, Steele et al. 2014) whose sequence is fixed
/// forever, unlike <see cref="Random"/> whose algorithm is a runtime detail. Every random choice
/// in problem generation draws from one of these, so a seed always gives the same problems.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>An independent stream for a named purpose, e.g. <c>Derive("test")</c>.</summary>
    public static DeterministicRandom ForPurpose(long seed, string purpose) =>
        new(Mix((ulong)seed ^ Mix(Problem.Fnv1a(purpose))));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int Next(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), $"empty range [{minInclusive}, {maxExclusive})");
        }

        ulong range = (ulong)((long)maxExclusive - minInclusive);
        // Lemire's multiply-shift with rejection: unbiased for every range.
        ulong threshold = (0UL - range) % range;
        while (true)
        {
            ulong x = NextUInt64();
            UInt128 product = (UInt128)x * range;
            if ((ulong)product >= threshold)
            {
                return (int)((long)minInclusive + (long)(ulong)(product >> 64));
            }
        }
    }

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => Next(0, maxExclusive);

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
