using Reasoning.Core.Accounting;
using Reasoning.ProcessReward.Model;

namespace Reasoning.ProcessReward.Scoring;

/// <summary>
/// What a search needs of a reward model: a score in [0, 1] for every step of many (partial) solutions, charged to a
/// meter. A <see cref="RewardModel"/> trained here is one; a pretrained token-probability PRM loaded from a model
/// folder (<see cref="TokenProbabilityRewardModel"/>, Math-Shepherd style) is another.
/// </summary>
public interface IStepScorer : IDisposable
{
    /// <summary>A process reward model scores every step; an outcome reward model's score is its last step's.</summary>
    RewardModelKind Kind { get; }

    /// <summary>Per solution, one score in [0, 1] per step (none for a solution without steps).</summary>
    double[][] Score(IReadOnlyList<SolutionLines> solutions, IUsageMeter meter);
}
