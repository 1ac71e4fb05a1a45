namespace Reasoning.SelfPlay.R1.Strategies;

/// <summary>The names of the curves <see cref="R1GrpoStrategy"/> records, one point per GRPO step (held-out accuracy every <c>evaluate_every</c> steps).</summary>
public static class GrpoCurves
{
    public const string Reward = "grpo/reward";
    public const string Accuracy = "grpo/accuracy";
    public const string LengthMean = "grpo/length_mean";
    public const string LengthMax = "grpo/length_max";
    public const string LengthRight = "grpo/length_right";
    public const string LengthWrong = "grpo/length_wrong";
    public const string LengthMaxRight = "grpo/length_max_right";
    public const string LengthMaxWrong = "grpo/length_max_wrong";
    public const string Loss = "grpo/loss";
    public const string Kl = "grpo/kl";
    public const string Entropy = "grpo/entropy";
    public const string ClipFraction = "grpo/clip_fraction";
    public const string GradientNorm = "grpo/grad_norm";
    public const string GeneratedTokens = "grpo/generated_tokens";
    public const string EstimatedBytes = "grpo/estimated_bytes";
    public const string ResidentBytes = "grpo/resident_bytes";
    public const string PeakResidentBytes = "grpo/peak_resident_bytes";
    public const string HeldOutAccuracy = "grpo/held_out_accuracy";
}
