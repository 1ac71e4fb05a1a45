namespace Reasoning.ProcessReward.Model;

/// <summary>Which line ends a reward model is trained on.</summary>
public enum RewardModelKind
{
    /// <summary>A process reward model (Lightman et al. 2023): a label at every line end.</summary>
    ProcessReward,

    /// <summary>
    /// An outcome reward model (Cobbe et al. 2021, "Training Verifiers to Solve Math Word Problems"): only the
    /// final line end is trained, on whether the solution ends with a right answer. Scoring still reads every
    /// line end; the last one is the solution's score.
    /// </summary>
    OutcomeReward,
}
