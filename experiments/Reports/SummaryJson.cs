using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reasoning.Experiments.Reports;

/// <summary>The run summary as indented JSON: camelCase names, "\n" newlines, deterministic for the same records.</summary>
internal static class SummaryJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // A diverged loss is NaN; it is reported as "NaN", not a reason to lose the report.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Labels, errors and CPU names are shown as written, not \u-escaped; this file is not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return JsonSerializer.Serialize(summary, Options) + "\n";
    }

    /// <summary>Reads a summary written by <see cref="Write"/>.</summary>
    public static RunSummary Read(string json) =>
        JsonSerializer.Deserialize<RunSummary>(json, Options) ?? throw new JsonException("The summary is null.");
}
