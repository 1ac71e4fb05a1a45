namespace Reasoning.ProcessReward.Model;

/// <summary>How a reward model turns its backbone into a score at a line end.</summary>
public enum RewardHead
{
    /// <summary>
    /// A linear head on the final hidden state at the line end, Linear(C, 1) (Cobbe et al. 2021; Lightman et al. 2023).
    /// The backbone's output projection is unused.
    /// </summary>
    Scalar,

    /// <summary>
    /// The implicit process reward of Yuan et al. 2024 ("Free Process Rewards without Process Labels"): the logit at
    /// the end of line t is q_t = β · Σ log π_θ(y_i | y_&lt;i) / π_ref(y_i | y_&lt;i), summed over the tokens written after
    /// the question up to and including that line end, where π_θ is the backbone read as a language model (its output
    /// projection trained) and π_ref the frozen policy it started from. A step's score rests on how much more or less
    /// likely the trained model finds the very tokens written than the policy did, so a wrong result digit is judged
    /// where the model predicts that digit.
    /// </summary>
    Implicit,

    /// <summary>The sum of both logits: the scalar head's view of the whole prefix plus the implicit reward of its tokens.</summary>
    ScalarPlusImplicit,
}
