namespace Reasoning.Policy.Training;

/// <summary>
/// Linear warm-up to the peak, then a cosine decay to <c>peak × floor</c> at the last step
/// (Loshchilov &amp; Hutter 2017, as used by GPT-3 and Llama).
/// Worked example: peak 1e-3, warm-up 10, 110 steps, floor 0.1 →
/// step 0: 1e-4, step 9: 1e-3, step 10: 1e-3, step 60: 5.5e-4, step 109: ≈1e-4.
/// </summary>
public sealed record LearningRateSchedule(double Peak, int WarmupSteps, int TotalSteps, double Floor = 0.1)
{
    /// <summary>The learning rate for 0-based <paramref name="step"/>.</summary>
    public double At(int step)
    {
        if (step < WarmupSteps)
        {
            return Peak * (step + 1) / WarmupSteps;
        }

        int decaySteps = Math.Max(1, TotalSteps - WarmupSteps - 1);
        double progress = Math.Clamp((double)(step - WarmupSteps) / decaySteps, 0, 1);
        return Peak * (Floor + (1 - Floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the rate of <paramref name="step"/>, and returns it.</summary>
    public double Apply(TorchSharp.Modules.AdamW optimizer, int step)
    {
        double rate = At(step);
        foreach (TorchSharp.torch.optim.ILearningRateController group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }

        return rate;
    }
}
