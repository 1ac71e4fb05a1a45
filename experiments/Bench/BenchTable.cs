using System.Globalization;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// The Markdown table of <c>bench policy</c> (with or without <c>--shape</c>): a figure per row, the C# stack's value
/// beside the peer's, their ratio, the target and whether it is met. Numbers are written in the invariant culture.
/// </summary>
internal sealed class BenchTable
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private readonly List<string> _lines;

    /// <param name="peerName">The peer's column heading; null when the peer was skipped.</param>
    public BenchTable(string csharpName, string? peerName) =>
        _lines =
        [
            $"| figure | {csharpName} | {peerName ?? "PyTorch eager (peer): skipped"} | C# / peer | target | met |",
            "|---|---:|---:|---:|---|---|",
        ];

    /// <param name="theirs">The peer's value; null writes a dash.</param>
    /// <param name="met">Whether the target is met; null leaves the cell empty.</param>
    public void Row(string figure, string mine, string? theirs, string ratio = "", string target = "", bool? met = null) =>
        _lines.Add($"| {figure} | {mine} | {theirs ?? "—"} | {ratio} | {target} | {(met is null ? "" : met.Value ? "yes" : "**no**")} |");

    public override string ToString() => string.Join(Environment.NewLine, _lines);

    /// <summary><c>2.00x</c>, or empty without a positive peer value.</summary>
    public static string Ratio(double mine, double? theirs) => theirs is > 0 ? F($"{mine / theirs.Value:F2}x") : "";

    public static string Megabytes(long bytes) => bytes <= 0 ? "unknown" : F($"{bytes / 1048576.0:N0}");

    public static string F(FormattableString text) => text.ToString(Invariant);
}
