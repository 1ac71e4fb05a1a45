using Reasoning.Core.Problems;
using Reasoning.Search.Mcts;

namespace Reasoning.Tests.Search;

/// <summary>
/// A fixed tree of step texts for one problem: for every prefix, the candidates the "policy" offers (in
/// order, with known log-probabilities) and the score the "reward model" gives each state. Deterministic:
/// asked for k samples of a prefix, it returns its candidate list cycled to length k.
/// Paths are written with '|' between lines: <c>"a|answer: 1"</c>.
/// </summary>
internal sealed class StubBandit
{
    private readonly Dictionary<string, List<StepCandidate>> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _scores = new(StringComparer.Ordinal);

    /// <summary>The answer of a path the stub considers right, if any.</summary>
    public string? RightAnswer { get; private set; }

    /// <summary>Adds the last line of <paramref name="path"/> as a candidate after the lines before it.</summary>
    public StubBandit Add(string path, double logProbability, double score, bool finished = true)
    {
        string[] lines = path.Split('|');
        string prefix = Key(lines[..^1]);
        if (!_children.TryGetValue(prefix, out List<StepCandidate>? list))
        {
            _children[prefix] = list = [];
        }

        list.Add(new StepCandidate(lines[^1], logProbability, finished));
        _scores[Key(lines)] = score;
        return this;
    }

    public IReadOnlyList<StepCandidate> CandidatesOf(IReadOnlyList<string> steps) =>
        _children.TryGetValue(Key(steps), out List<StepCandidate>? list) ? list : [];

    public IReadOnlyList<StepCandidate> Sample(IReadOnlyList<string> steps, int samples)
    {
        IReadOnlyList<StepCandidate> list = CandidatesOf(steps);
        return list.Count == 0 ? [] : Enumerable.Range(0, samples).Select(i => list[i % list.Count]).ToList();
    }

    public double ScoreOf(IReadOnlyList<string> steps) => _scores.GetValueOrDefault(Key(steps));

    /// <summary>
    /// A full tree: <paramref name="branching"/> children per node, lines "s{depth}.{k}" and answer lines
    /// "answer: {k}" at depth <paramref name="depth"/>. With <paramref name="solvable"/>, one random path
    /// leads to the right answer and gets the lowest log-probability at every level (the policy dislikes
    /// it); a perfect value function scores 1 on that path's prefixes and 0 elsewhere. Some wrong branches
    /// answer early. Log-probabilities are otherwise random in [−2, 0]. With <paramref name="randomScores"/>
    /// every score is instead uniform in [0, 1].
    /// </summary>
    public static StubBandit Random(long seed, int depth, int branching, bool solvable = true, bool randomScores = false)
    {
        var random = new DeterministicRandom((ulong)seed);
        var bandit = new StubBandit();
        int[] rightPath = Enumerable.Range(0, depth).Select(_ => random.Next(branching)).ToArray();
        void Grow(string prefix, int level, bool onRightPath)
        {
            for (int k = 0; k < branching; k++)
            {
                bool right = solvable && onRightPath && k == rightPath[level];
                bool last = level == depth - 1;
                bool earlyAnswer = !last && !right && random.Next(4) == 0;
                string line = last || earlyAnswer ? $"answer: {level}{k}" : $"s{level}.{k}";
                string path = prefix.Length == 0 ? line : prefix + "|" + line;
                double logProbability = right ? -3 : -2 * random.NextDouble();
                bandit.Add(path, logProbability, randomScores ? random.NextDouble() : right ? 1 : 0);
                if (right && last)
                {
                    bandit.RightAnswer = $"{level}{k}";
                }

                if (!last && !earlyAnswer)
                {
                    Grow(path, level + 1, right);
                }
            }
        }

        Grow("", 0, onRightPath: true);
        return bandit;
    }

    /// <summary>A full tree with no answer line before <paramref name="depth"/>; scores from the line's indices.</summary>
    public static StubBandit Full(int depth, int branching)
    {
        var bandit = new StubBandit();
        void Grow(string prefix, int level)
        {
            for (int k = 0; k < branching; k++)
            {
                string line = level == depth - 1 ? $"answer: {k}" : $"s{level}.{k}";
                string path = prefix.Length == 0 ? line : prefix + "|" + line;
                bandit.Add(path, -k, (k + 1.0) / (branching + 1));
                if (level < depth - 1)
                {
                    Grow(path, level + 1);
                }
            }
        }

        Grow("", 0);
        return bandit;
    }

    private static string Key(IEnumerable<string> steps) => string.Join("|", steps);
}
