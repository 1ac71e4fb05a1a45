namespace Reasoning.Search.Mcts;

/// <summary>
/// The policy, as the searches see it: for every state, <paramref name="samplesPerState"/> sampled next
/// steps (duplicates allowed; the searches merge them). ONE call serves many states so the policy host can
/// batch them. Must return exactly one list per state, in order.
/// </summary>
internal delegate Task<IReadOnlyList<IReadOnlyList<StepCandidate>>> ExpandSteps(
    IReadOnlyList<SearchState> states, int samplesPerState, CancellationToken ct);

/// <summary>
/// The reward model, as the searches see it: for every state, the value in [0, 1] of its last step (a
/// process reward model's score, or whatever aggregate of step scores the strategy prefers). ONE call
/// serves many states. Must return exactly one score per state, in order. Scores outside [0, 1] are
/// clamped and NaN counts as 0 (see <see cref="SearchCalls.Sanitize"/>).
/// </summary>
internal delegate Task<IReadOnlyList<double>> ScoreStates(IReadOnlyList<SearchState> states, CancellationToken ct);

/// <summary>
/// The solution format, as the searches see it: whether one step (without its separator) states the answer, which
/// ends the solution (<see cref="Core.Solutions.ISolutionFormat.IsAnswerStep"/> of the task's format: <c>answer: 29</c>
/// for the line format, <c>#### 42</c> or a paragraph holding <c>\boxed{42}</c> for free text). Must not throw.
/// </summary>
internal delegate bool IsAnswerStep(string step);
