using Reasoning.Core.Solutions;
using Reasoning.Search.Mcts;

namespace Reasoning.Tests.Search;

/// <summary>
/// The policy and the reward model for a batch of stub problems: <see cref="Expand"/> and <see cref="Score"/>
/// answer from problem <c>state.Problem</c>'s <see cref="StubBandit"/> and record every call. The stubs' steps are
/// in the line format (<c>answer: 1</c> ends a solution) unless <see cref="IsAnswerStep"/> says otherwise.
/// </summary>
internal sealed class StubEnvironment(params StubBandit[] problems)
{
    /// <summary>The format's answer test the searches are given.</summary>
    public IsAnswerStep IsAnswerStep { get; init; } = LineSolutionFormat.Instance.IsAnswerStep;

    public List<IReadOnlyList<SearchState>> ExpandCalls { get; } = [];

    public List<IReadOnlyList<SearchState>> ScoreCalls { get; } = [];

    public int ProblemCount => problems.Length;

    public StubBandit this[int problem] => problems[problem];

    public ExpandSteps Expand => (states, samples, _) =>
    {
        ExpandCalls.Add(states);
        IReadOnlyList<IReadOnlyList<StepCandidate>> result = states.Select(s => problems[s.Problem].Sample(s.Steps, samples)).ToList();
        return Task.FromResult(result);
    };

    public ScoreStates Score => (states, _) =>
    {
        ScoreCalls.Add(states);
        IReadOnlyList<double> result = states.Select(s => problems[s.Problem].ScoreOf(s.Steps)).ToList();
        return Task.FromResult(result);
    };
}
