using Reasoning.Core.Options;

namespace Reasoning.Search.Mcts;

/// <summary>
/// The one place the searches call their delegates: empty batches are not sent, answers of the wrong
/// length fail loudly (a bug in the strategy, not model output), scores are made safe.
/// </summary>
internal static class SearchCalls
{
    public static async Task<IReadOnlyList<IReadOnlyList<StepCandidate>>> ExpandAsync(
        ExpandSteps expand, IReadOnlyList<SearchState> states, int samplesPerState, CancellationToken ct)
    {
        if (states.Count == 0)
        {
            return [];
        }

        ct.ThrowIfCancellationRequested();
        IReadOnlyList<IReadOnlyList<StepCandidate>> candidates = await expand(states, samplesPerState, ct).ConfigureAwait(false);
        if (candidates is null || candidates.Count != states.Count)
        {
            throw new InvalidOperationException(
                $"{nameof(ExpandSteps)} returned {candidates?.Count.ToString() ?? "null"} candidate lists for {states.Count} states");
        }

        return candidates;
    }

    public static async Task<IReadOnlyList<double>> ScoreAsync(ScoreStates score, IReadOnlyList<SearchState> states, CancellationToken ct)
    {
        if (states.Count == 0)
        {
            return [];
        }

        ct.ThrowIfCancellationRequested();
        IReadOnlyList<double> scores = await score(states, ct).ConfigureAwait(false);
        if (scores is null || scores.Count != states.Count)
        {
            throw new InvalidOperationException(
                $"{nameof(ScoreStates)} returned {scores?.Count.ToString() ?? "null"} scores for {states.Count} states");
        }

        return scores.Select(Sanitize).ToArray();
    }

    /// <summary>A score in [0, 1]: clamped, NaN → 0 (garbage scores 0).</summary>
    public static double Sanitize(double score) => double.IsNaN(score) ? 0 : Math.Clamp(score, 0, 1);

    /// <summary>Fails at start-up, naming every bad key, rather than deep inside a run.</summary>
    /// <exception cref="ArgumentException">Some option is invalid.</exception>
    public static void ThrowIfInvalid(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<OptionError> errors = OptionsSchema.Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid {options.GetType().Name}: {string.Join("; ", errors)}", nameof(options));
        }
    }
}
