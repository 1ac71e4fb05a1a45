namespace Reasoning.Search.Mcts;

/// <summary>
/// One problem's search tree as a value: parallel columns indexed by node (the layout of mctx's
/// <c>Tree</c>). A node is a step prefix; node <see cref="RootIndex"/> is the question alone. The
/// children of a node are created together by one expansion, so they sit at consecutive indices
/// [<see cref="FirstChild"/>, <see cref="FirstChild"/> + <see cref="ChildCount"/>).
/// Only <see cref="Expansion"/> and <see cref="Backup"/> change it.
/// </summary>
internal sealed class SearchTree
{
    /// <summary>The question alone, no step.</summary>
    public const int RootIndex = 0;

    /// <summary>The parent of the root.</summary>
    public const int NoParent = -1;

    /// <summary>The first child of a node not expanded yet.</summary>
    public const int NoChildren = -1;

    /// <summary>The visit count of a node no simulation has reached.</summary>
    public const int Unvisited = 0;

    private readonly List<int> _parent = [];
    private readonly List<int> _firstChild = [];
    private readonly List<int> _childCount = [];
    private readonly List<int> _visitCount = [];
    private readonly List<double> _valueSum = [];
    private readonly List<double> _prior = [];
    private readonly List<double> _score = [];
    private readonly List<int> _depth = [];
    private readonly List<bool> _terminal = [];
    private readonly List<string> _text = [];
    private readonly List<int> _copies = [];
    private readonly List<bool> _cutOff = [];
    private readonly List<bool> _answer = [];

    /// <summary>A tree holding only the root of problem <paramref name="problem"/>.</summary>
    public SearchTree(int problem)
    {
        Problem = problem;
        // The root holds no step, so nothing scores it; its value sum is never read by selection.
        Add(NoParent, text: "", prior: 1, depth: 0, terminal: false, copies: 1, cutOff: false, answer: false);
    }

    /// <summary>The problem's index within the batch.</summary>
    public int Problem { get; }

    public int Count => _parent.Count;

    public IReadOnlyList<int> Parent => _parent;

    public IReadOnlyList<int> FirstChild => _firstChild;

    public IReadOnlyList<int> ChildCount => _childCount;

    public IReadOnlyList<int> VisitCount => _visitCount;

    /// <summary>Sum of the values backed up through the node.</summary>
    public IReadOnlyList<double> ValueSum => _valueSum;

    /// <summary>P(s, a): the policy's prior of the node among its siblings; sums to 1 over a family.</summary>
    public IReadOnlyList<double> Prior => _prior;

    /// <summary>The reward model's value of the node's last step, in [0, 1] (0 for cut-off steps and the root).</summary>
    public IReadOnlyList<double> Score => _score;

    /// <summary>Steps from the question to the node (the root has 0).</summary>
    public IReadOnlyList<int> Depth => _depth;

    public IReadOnlyList<bool> Terminal => _terminal;

    /// <summary>The node's own step (empty for the root).</summary>
    public IReadOnlyList<string> Text => _text;

    /// <summary>How many sampled candidates merged into the node (duplicates of one step).</summary>
    public IReadOnlyList<int> Copies => _copies;

    /// <summary>The sampler cut the node's step off before its end: a dead end.</summary>
    public IReadOnlyList<bool> CutOff => _cutOff;

    public bool IsExpanded(int node) => _firstChild[node] != NoChildren;

    /// <summary>The children's indices, in the order their steps were first sampled.</summary>
    public IEnumerable<int> Children(int node) =>
        IsExpanded(node) ? Enumerable.Range(_firstChild[node], _childCount[node]) : [];

    /// <summary>
    /// Q(s, a): the mean backed-up value, or before the first visit the node's own score. The score
    /// replaces a fixed first-play urgency: every child is scored when it is created, so an unvisited
    /// child already has a value estimate as good as a visited leaf's.
    /// </summary>
    public double Q(int node) =>
        _visitCount[node] == Unvisited ? _score[node] : _valueSum[node] / _visitCount[node];

    /// <summary>The steps from the question to <paramref name="node"/>.</summary>
    public IReadOnlyList<string> Steps(int node)
    {
        var steps = new string[_depth[node]];
        for (int at = node; at != RootIndex; at = _parent[at])
        {
            steps[_depth[at] - 1] = _text[at];
        }

        return steps;
    }

    public SearchState State(int node) => new(Problem, Steps(node));

    /// <summary>
    /// The node's step is a complete answer step: not cut off, and the solution format read it as one when the node was
    /// added (<see cref="Expansion"/> asks the format; the tree only keeps the answer).
    /// </summary>
    public bool EndsAtAnswer(int node) => node != RootIndex && !_cutOff[node] && _answer[node];

    public SearchPath Path(int node) => new(Steps(node), _score[node], _terminal[node], EndsAtAnswer(node));

    /// <summary>Appends a family of children to <paramref name="parent"/>; returns the first one's index.</summary>
    internal int AddChildren(int parent, IReadOnlyList<(string Text, double Prior, bool Terminal, int Copies, bool CutOff, bool Answer)> children)
    {
        if (IsExpanded(parent))
        {
            throw new InvalidOperationException($"node {parent} is already expanded");
        }

        int first = Count;
        foreach (var child in children)
        {
            Add(parent, child.Text, child.Prior, _depth[parent] + 1, child.Terminal, child.Copies, child.CutOff, child.Answer);
        }

        _firstChild[parent] = first;
        _childCount[parent] = children.Count;
        return first;
    }

    internal void SetScore(int node, double score) => _score[node] = score;

    internal void MarkTerminal(int node) => _terminal[node] = true;

    internal void AddVisit(int node, double value)
    {
        _visitCount[node]++;
        _valueSum[node] += value;
    }

    private void Add(int parent, string text, double prior, int depth, bool terminal, int copies, bool cutOff, bool answer)
    {
        _cutOff.Add(cutOff);
        _answer.Add(answer);
        _parent.Add(parent);
        _firstChild.Add(NoChildren);
        _childCount.Add(0);
        _visitCount.Add(Unvisited);
        _valueSum.Add(0);
        _prior.Add(prior);
        _score.Add(0);
        _depth.Add(depth);
        _terminal.Add(terminal);
        _text.Add(text);
        _copies.Add(copies);
    }
}
