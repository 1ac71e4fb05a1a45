namespace Reasoning.Core.Diagnostics;

/// <summary>
/// Named points where a fault-injection test may end the process abruptly, as a crash or <c>kill -9</c> would, to
/// check that a run resumed afterwards loses nothing and charges nothing twice. Set the environment variable
/// <see cref="Variable"/> to <c>name</c> (the first time the point is reached) or <c>name@n</c> (the n-th time,
/// counting from 1) before the process starts; unset, <see cref="Reached"/> costs one comparison.
/// </summary>
public static class FaultPoint
{
    /// <summary>The environment variable naming the point at which to die.</summary>
    public const string Variable = "REASONING_FAULT_AT";

    /// <summary>A unit's records are about to be appended to the log.</summary>
    public const string BeforeUnitRecord = "unit/before-record";

    /// <summary>A unit's records are in the log; its cache entries are not yet committed.</summary>
    public const string AfterUnitRecord = "unit/after-record";

    /// <summary>A fine-tuned base policy's checkpoint is in the cache; its cost is not yet written.</summary>
    public const string AfterBaseCheckpoint = "base-policy/after-checkpoint";

    /// <summary>A fine-tuned base policy's cost is written beside its checkpoint.</summary>
    public const string AfterBaseCost = "base-policy/after-cost";

    /// <summary>A reward model is saved to the cache.</summary>
    public const string AfterRewardModelSave = "reward/after-save";

    /// <summary>A supervised fine-tuning step ended (reached once per step).</summary>
    public const string SftStep = "sft/step";

    /// <summary>A reward-model training step ended (reached once per step).</summary>
    public const string RewardStep = "reward/step";

    /// <summary>A GRPO step ended (reached once per step).</summary>
    public const string GrpoStep = "grpo/step";

    private static readonly (string Name, int Count)? Target = Parse(Environment.GetEnvironmentVariable(Variable));
    private static int _hits;

    /// <summary>Ends the process at once (SIGKILL on Linux, no cleanup, no flushing) when this is the configured point and occurrence.</summary>
    public static void Reached(string name)
    {
        if (Target is not { } target || !string.Equals(target.Name, name, StringComparison.Ordinal))
        {
            return;
        }

        if (Interlocked.Increment(ref _hits) == target.Count)
        {
            Console.Error.WriteLine($"fault injection: killed at {name} (occurrence {target.Count})");
            Console.Error.Flush();
            System.Diagnostics.Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    private static (string, int)? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        int at = value.LastIndexOf('@');
        return at > 0 && int.TryParse(value.AsSpan(at + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count) && count > 0
            ? (value[..at], count)
            : (value, 1);
    }
}
