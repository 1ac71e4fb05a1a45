using Reasoning.Core.Storage;
using System.Text.Json;
using Reasoning.Core.Accounting;
using Reasoning.Experiments.Records;

namespace Reasoning.Experiments.Runner;

/// <summary>
/// The cost of fine-tuning a cached base policy, kept beside its checkpoint (<c>*.ckpt.cost.json</c>), so a
/// run that reuses the checkpoint reports what the policy cost when it was trained, marked as reused,
/// instead of a misleading zero.
/// </summary>
internal static class BasePolicyCosts
{
    private static string PathOf(string checkpointPath) => checkpointPath + ".cost.json";

    public static void Save(string checkpointPath, PhaseUsage usage) =>
        AtomicFile.WriteAllText(PathOf(checkpointPath), JsonSerializer.Serialize(usage));

    /// <summary>The recorded cost, or null when there is none or it cannot be read.</summary>
    public static PhaseUsage? TryLoad(string checkpointPath)
    {
        try
        {
            return File.Exists(PathOf(checkpointPath)) ? JsonSerializer.Deserialize<PhaseUsage>(File.ReadAllText(PathOf(checkpointPath))) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }
}
