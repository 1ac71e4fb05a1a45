namespace Reasoning.Search.Mcts.Beam;

/// <summary>
/// Step-level beam search guided by a reward model, as in Hugging Face's "search and learn" beam search
/// (Beeching, Tunstall and Rush 2024, after Snell et al. 2024). Per problem, up to
/// <see cref="BeamOptions.Width"/> partial solutions; each round:
/// <list type="number">
/// <item>ONE <see cref="ExpandSteps"/> call samples <see cref="BeamOptions.ExpansionsPerBeam"/> next steps
/// for every active beam of every problem;</item>
/// <item>duplicates (same steps, same cut-off flag) are dropped, keeping the first;</item>
/// <item>ONE <see cref="ScoreStates"/> call scores every new child (cut-off steps score 0 unasked);</item>
/// <item>per problem the children are ranked by score (ties: earlier, i.e. from the better parent, then
/// sampled first) and the top Width − (finished so far) are kept; the terminal ones join the finished
/// pool and the rest are the next round's beams.</item>
/// </list>
/// A problem stops when Width beams have finished, no beam is left, or the policy proposes nothing.
/// Beams reaching <see cref="BeamOptions.MaxDepth"/> steps are terminal, so the search ends by then. A beam
/// finishes at its answer step, whatever the format calls one (<see cref="IsAnswerStep"/>): the search never
/// reads the text itself.
/// </summary>
internal static class BeamSearch
{
    /// <summary>Searches problems 0 .. <paramref name="problemCount"/> − 1; one result per problem, in order.</summary>
    /// <exception cref="ArgumentException">Invalid options (the message names the keys).</exception>
    public static async Task<IReadOnlyList<BeamResult>> RunAsync(
        int problemCount, BeamOptions options, ExpandSteps expand, ScoreStates score, IsAnswerStep isAnswerStep, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(isAnswerStep);
        ArgumentOutOfRangeException.ThrowIfNegative(problemCount);
        SearchCalls.ThrowIfInvalid(options);
        var problems = Enumerable.Range(0, problemCount).Select(_ => new ProblemBeams()).ToArray();
        while (true)
        {
            int[] active = Enumerable.Range(0, problemCount).Where(p => problems[p].IsActive).ToArray();
            if (active.Length == 0)
            {
                break;
            }

            var parents = active.SelectMany(p => problems[p].Beams.Select(b => (Problem: p, Beam: b))).ToList();
            IReadOnlyList<IReadOnlyList<StepCandidate>> candidates = await SearchCalls.ExpandAsync(
                expand, parents.Select(x => new SearchState(x.Problem, x.Beam.Steps)).ToList(), options.ExpansionsPerBeam, ct).ConfigureAwait(false);

            var children = active.ToDictionary(p => p, _ => new List<Child>());
            for (int i = 0; i < parents.Count; i++)
            {
                (int p, SearchPath parent) = parents[i];
                problems[p].Expansions++;
                foreach (StepCandidate candidate in candidates[i] ?? [])
                {
                    children[p].Add(Child.Of(parent, candidate, options.MaxDepth, isAnswerStep));
                }
            }

            foreach (int p in active)
            {
                children[p] = children[p].DistinctBy(c => c.Key).ToList();
            }

            var toScore = active.SelectMany(p => children[p].Where(c => !c.CutOff).Select(c => (Problem: p, Child: c))).ToList();
            IReadOnlyList<double> scores = await SearchCalls.ScoreAsync(
                score, toScore.Select(x => new SearchState(x.Problem, x.Child.Steps)).ToList(), ct).ConfigureAwait(false);
            for (int i = 0; i < toScore.Count; i++)
            {
                toScore[i].Child.Score = scores[i];
                problems[toScore[i].Problem].Evaluations++;
            }

            foreach (int p in active)
            {
                problems[p].Advance(children[p], options.Width);
            }
        }

        return problems.Select((beams, p) => new BeamResult(p, beams.Choose(), beams.Finished, beams.Expansions, beams.Evaluations)).ToList();
    }

    /// <summary>One problem's beams between rounds.</summary>
    private sealed class ProblemBeams
    {
        public List<SearchPath> Beams { get; private set; } = [new SearchPath([], 0, Terminal: false, EndsAtAnswer: false)];

        public List<SearchPath> Finished { get; } = [];

        public int Expansions { get; set; }

        public int Evaluations { get; set; }

        /// <summary>The policy proposed nothing for any beam: the beams stay, unfinished.</summary>
        private bool _stuck;

        public bool IsActive => !_stuck && Beams.Count > 0;

        /// <summary>Keeps the best Width − finished children; the terminal ones finish.</summary>
        public void Advance(List<Child> children, int width)
        {
            if (children.Count == 0)
            {
                _stuck = true;
                return;
            }

            // OrderByDescending is stable: equal scores keep the earlier child first.
            var kept = children.OrderByDescending(c => c.Score).Take(width - Finished.Count).Select(c => c.ToPath()).ToList();
            Finished.AddRange(kept.Where(c => c.Terminal));
            Beams = kept.Where(c => !c.Terminal).ToList();
        }

        /// <summary>The best finished beam with an answer; else the best beam left (ties: earlier).</summary>
        public SearchPath Choose()
        {
            var answered = Finished.Where(b => b.EndsAtAnswer).ToList();
            var pool = answered.Count > 0 ? answered : [.. Finished, .. Beams];
            // Never empty: a round that finishes no beam leaves some active, and a stuck problem keeps its beams.
            return pool.Aggregate((best, b) => b.Score > best.Score ? b : best);
        }
    }

    /// <summary>A candidate extension of a beam, scored later.</summary>
    private sealed class Child
    {
        public required IReadOnlyList<string> Steps { get; init; }

        public required bool CutOff { get; init; }

        public required bool Terminal { get; init; }

        /// <summary>Its last step states the answer (never a cut-off step).</summary>
        public required bool EndsAtAnswer { get; init; }

        /// <summary>0 until scored; cut-off steps stay 0.</summary>
        public double Score { get; set; }

        /// <summary>Equal for equal steps and flag; each step length-prefixed, as a paragraph step may hold line breaks.</summary>
        public string Key => (CutOff ? "cut\n" : "ok\n") + string.Join('\n', Steps.Select(s => $"{s.Length}:{s}"));

        public static Child Of(SearchPath parent, StepCandidate candidate, int maxDepth, IsAnswerStep isAnswerStep)
        {
            string text = (candidate.Text ?? "").Trim();
            bool answer = Termination.EndsAtAnswer(text, candidate.Finished, isAnswerStep);
            return new Child
            {
                Steps = [.. parent.Steps, text],
                CutOff = !candidate.Finished,
                Terminal = Termination.IsTerminal(answer, candidate.Finished, parent.Steps.Count + 1, maxDepth),
                EndsAtAnswer = answer,
            };
        }

        public SearchPath ToPath() => new(Steps, Score, Terminal, EndsAtAnswer);
    }
}
