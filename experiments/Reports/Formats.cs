using System.Globalization;

namespace Reasoning.Experiments.Reports;

/// <summary>
/// Fixed, culture-invariant number formats, so a report rebuilt from the same records is byte-identical.
/// </summary>
internal static class Formats
{
    /// <summary>Shown where a figure does not exist (no such phase, one seed for a spread).</summary>
    public const string Missing = "—";

    public const double BytesPerMebibyte = 1024.0 * 1024.0;

    public const double BytesPerGibibyte = 1024.0 * BytesPerMebibyte;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A fraction as a percentage with one decimal: 0.72 → <c>72.0%</c>.</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("F1", Invariant) + "%";

    /// <summary>A fraction as percentage points without the sign: 0.0312 → <c>3.1</c>.</summary>
    public static string Points(double fraction) => (fraction * 100).ToString("F1", Invariant);

    /// <summary>A count with thousands separators: 1234567 → <c>1,234,567</c>.</summary>
    public static string Count(double value) => value.ToString("N0", Invariant);

    /// <summary>A fraction as signed percentage points, one decimal, with a true minus sign: +5.4, −3.0.</summary>
    public static string SignedPoints(double fraction) => (fraction >= 0 ? "+" : "−") + Points(Math.Abs(fraction));

    /// <summary>One decimal: 12.345 → <c>12.3</c>.</summary>
    public static string OneDecimal(double value) => value.ToString("F1", Invariant);

    /// <summary>Two decimals, e.g. a correlation: 0.59.</summary>
    public static string TwoDecimals(double value) => value.ToString("F2", Invariant);

    /// <summary>Three significant digits in scientific notation: 1.234e12 → <c>1.23e12</c>.</summary>
    public static string Scientific(double value) => value.ToString("0.00e0", Invariant);

    /// <summary>A p-value: three decimals from 0.001 up (<c>0.021</c>, <c>1.000</c>), two significant digits below (<c>5.4e-5</c>), <c>&lt; 1e-300</c> past a double's range.</summary>
    public static string PValue(double p) =>
        p >= 0.001 ? p.ToString("F3", Invariant) : p > 1e-300 ? p.ToString("0.0e0", Invariant) : "< 1e-300";

    /// <summary>Bytes in MiB with one decimal.</summary>
    public static string Mebibytes(long bytes) => OneDecimal(bytes / BytesPerMebibyte);

    /// <summary>The shortest text that reads back as the same double (for CSV and JSON).</summary>
    public static string Exact(double value) => value.ToString("R", Invariant);

    public static string Exact(long value) => value.ToString(Invariant);

    public static string Exact(double? value) => value is { } v ? Exact(v) : "";

    public static string Exact(long? value) => value is { } v ? Exact(v) : "";
}
