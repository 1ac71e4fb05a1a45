using System.Text;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// Unicode canonical normalization (NFC and NFD, UAX #15) in managed code. The repository runs with
/// <c>InvariantGlobalization</c>, where <see cref="string.Normalize()"/> leaves non-ASCII text as it
/// is, yet Qwen's tokenizer.json normalizes every input to NFC before splitting it. Tables:
/// <see cref="UnicodeNormalizationTables"/>; Hangul syllables are composed arithmetically (UAX #15 §3.12).
/// </summary>
internal static class UnicodeNormalization
{
    // Hangul constants from the Unicode Standard, chapter 3.12.
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    /// <summary>Below this code point every character is its own NFC and has combining class 0.</summary>
    private const char FirstAffected = '\u0300';

    /// <summary>Below this code point every character is its own NFD (À, U+00C0, is the first that decomposes).</summary>
    private const char FirstDecomposable = '\u00C0';

    private static readonly Lazy<Tables> Data = new(Tables.Parse);

    /// <summary>The text in Normalization Form C (canonical decomposition, then canonical composition).</summary>
    public static string ToNfc(string text) => IsBelow(text, FirstAffected) ? text : Normalize(text, compose: true);

    /// <summary>The text in Normalization Form D (canonical decomposition).</summary>
    public static string ToNfd(string text) => IsBelow(text, FirstDecomposable) ? text : Normalize(text, compose: false);

    private static bool IsBelow(string text, char limit) => !text.AsSpan().ContainsAnyExceptInRange('\0', (char)(limit - 1));

    private static string Normalize(string text, bool compose)
    {
        var tables = Data.Value;
        var points = new List<int>(text.Length + 8);
        foreach (Rune rune in text.EnumerateRunes())
        {
            Decompose(rune.Value, points, tables);
        }

        SortCombiningMarks(points, tables);
        if (compose)
        {
            Compose(points, tables);
        }

        var builder = new StringBuilder(points.Count + 8);
        foreach (int point in points)
        {
            builder.Append(new Rune(point));
        }

        return builder.ToString();
    }

    private static void Decompose(int point, List<int> output, Tables tables)
    {
        int s = point - SBase;
        if (s is >= 0 and < SCount)
        {
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0)
            {
                output.Add(TBase + s % TCount);
            }
        }
        else if (tables.Decompositions.TryGetValue(point, out int[]? parts))
        {
            output.AddRange(parts);
        }
        else
        {
            output.Add(point);
        }
    }

    /// <summary>The canonical ordering algorithm: a stable sort of each run of non-starters by combining class.</summary>
    private static void SortCombiningMarks(List<int> points, Tables tables)
    {
        for (int i = 1; i < points.Count; i++)
        {
            int cls = tables.ClassOf(points[i]);
            if (cls == 0)
            {
                continue;
            }

            for (int j = i; j > 0; j--)
            {
                int previous = tables.ClassOf(points[j - 1]);
                if (previous <= cls)
                {
                    break;
                }

                (points[j - 1], points[j]) = (points[j], points[j - 1]);
            }
        }
    }

    /// <summary>The canonical composition algorithm (UAX #15 §1.3 and its sample code).</summary>
    private static void Compose(List<int> points, Tables tables)
    {
        if (points.Count == 0)
        {
            return;
        }

        int starterIndex = 0;
        int starter = points[0];
        int lastClass = tables.ClassOf(starter) == 0 ? 0 : 256;
        int written = 1;
        for (int i = 1; i < points.Count; i++)
        {
            int point = points[i];
            int cls = tables.ClassOf(point);
            int composite = ComposePair(starter, point, tables);
            if (composite >= 0 && (lastClass < cls || lastClass == 0))
            {
                points[starterIndex] = composite;
                starter = composite;
                continue;
            }

            if (cls == 0)
            {
                starterIndex = written;
                starter = point;
            }

            lastClass = cls;
            points[written++] = point;
        }

        points.RemoveRange(written, points.Count - written);
    }

    private static int ComposePair(int first, int second, Tables tables)
    {
        int l = first - LBase, v = second - VBase;
        if (l is >= 0 and < LCount && v is >= 0 and < VCount)
        {
            return SBase + (l * VCount + v) * TCount;
        }

        int s = first - SBase, t = second - TBase;
        if (s is >= 0 and < SCount && s % TCount == 0 && t is > 0 and < TCount)
        {
            return first + t;
        }

        return tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out int composite) ? composite : -1;
    }

    private sealed class Tables
    {
        private readonly Dictionary<int, byte> _classes;

        public Dictionary<int, int[]> Decompositions { get; }

        /// <summary>Primary composites keyed by <c>first &lt;&lt; 21 | second</c>.</summary>
        public Dictionary<long, int> Compositions { get; }

        private Tables(Dictionary<int, byte> classes, Dictionary<int, int[]> decompositions, Dictionary<long, int> compositions)
        {
            _classes = classes;
            Decompositions = decompositions;
            Compositions = compositions;
        }

        public int ClassOf(int point) => point < FirstAffected ? 0 : _classes.GetValueOrDefault(point);

        public static Tables Parse()
        {
            var classes = new Dictionary<int, byte>();
            foreach (string run in UnicodeNormalizationTables.CombiningClasses.Split(';'))
            {
                int[] f = Hex(run, ' ');
                for (int point = f[0]; point <= f[1]; point++)
                {
                    classes[point] = (byte)f[2];
                }
            }

            var decompositions = new Dictionary<int, int[]>();
            foreach (string entry in UnicodeNormalizationTables.Decompositions.Split(';'))
            {
                int colon = entry.IndexOf(':');
                decompositions[Convert.ToInt32(entry[..colon], 16)] = Hex(entry[(colon + 1)..], ' ');
            }

            var compositions = new Dictionary<long, int>();
            foreach (string entry in UnicodeNormalizationTables.Compositions.Split(';'))
            {
                int[] f = Hex(entry, ' ');
                compositions[((long)f[0] << 21) | (uint)f[1]] = f[2];
            }

            return new Tables(classes, decompositions, compositions);
        }

        private static int[] Hex(string text, char separator) =>
            text.Split(separator).Select(p => Convert.ToInt32(p, 16)).ToArray();
    }
}
