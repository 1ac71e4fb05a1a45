namespace Reasoning.SelfPlay.R1;

/// <summary>The one range check of the GRPO option records; its message names the YAML key of the <c>r1-grpo</c> strategy.</summary>
internal static class GrpoOption
{
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ok"/> is false.</exception>
    public static void Require(bool ok, string key, object value, string allowed)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(key, value, $"GRPO option {key} must be {allowed}, not {value}");
        }
    }
}
