using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Search.Mcts;
using Reasoning.Search.Mcts.Beam;

namespace Reasoning.Tests.Search;

/// <summary>
/// The searches on free text: steps are paragraphs (line breaks inside them), and which step ends a solution is the
/// format's call. The same stub tree searched with the line format's test and with the boxed format's ends at
/// different steps.
/// </summary>
public sealed class FreeTextSearchTests
{
    private const string Paragraph = "Add 3 and 4.\nThat makes 7.";
    private const string Boxed7 = "So the sum is $\\boxed{7}$.";

    private static readonly IsAnswerStep Lines = LineSolutionFormat.Instance.IsAnswerStep;
    private static readonly IsAnswerStep Boxed = new FreeTextFormat(AnswerFormat.Boxed).IsAnswerStep;

    /// <summary>
    /// Two first steps: a two-line paragraph (score 0.6) and "answer: 7" (0.9), an answer only in the line format. Each
    /// has one continuation: the paragraph a boxed 7 (0.8), "answer: 7" a boxed 8 (0.7).
    /// </summary>
    private static StubBandit TwoWays() => new StubBandit()
        .Add(Paragraph, -1, 0.6)
        .Add("answer: 7", -1, 0.9)
        .Add(Paragraph + "|" + Boxed7, 0, 0.8)
        .Add("answer: 7|$\\boxed{8}$", 0, 0.7);

    /// <summary>
    /// Width 2, two samples per beam (duplicates dropped). Boxed: round 1 keeps both first steps as beams (neither is an answer); round 2 finishes both, and the
    /// best is the paragraph's boxed 7 (0.8). Lines: "answer: 7" finishes in round 1 (0.9); the paragraph's one child is
    /// not an answer line, the policy offers nothing after it, and the finished answer line is chosen.
    /// </summary>
    [Fact]
    public async Task BeamFinishesAtTheStepTheFormatCallsTheAnswer()
    {
        var options = new BeamOptions { Width = 2, ExpansionsPerBeam = 2, MaxDepth = 8 };
        var boxedEnv = new StubEnvironment(TwoWays()) { IsAnswerStep = Boxed };
        BeamResult boxed = (await BeamSearch.RunAsync(1, options, boxedEnv.Expand, boxedEnv.Score, boxedEnv.IsAnswerStep))[0];

        Assert.Equal([Paragraph, Boxed7], boxed.Steps);
        Assert.True(boxed.EndsAtAnswer);
        Assert.Equal(0.8, boxed.Chosen.Score);
        Assert.Equal([[Paragraph, Boxed7], ["answer: 7", "$\\boxed{8}$"]], boxed.Finished.Select(f => f.Steps));
        Assert.All(boxed.Finished, f => Assert.True(f.EndsAtAnswer));

        var linesEnv = new StubEnvironment(TwoWays()) { IsAnswerStep = Lines };
        BeamResult lines = (await BeamSearch.RunAsync(1, options, linesEnv.Expand, linesEnv.Score, linesEnv.IsAnswerStep))[0];
        Assert.Equal(["answer: 7"], lines.Steps);
        Assert.True(lines.EndsAtAnswer);
        Assert.Equal([["answer: 7"]], lines.Finished.Select(f => f.Steps));
    }

    /// <summary>
    /// Paths ["a\nb", "c"] and ["a", "b\nc"] hold the same text joined by line breaks but different steps: both survive as
    /// beams and both finish (at the maximum depth), none merged into the other.
    /// </summary>
    [Fact]
    public async Task BeamKeepsParagraphPathsThatOnlyLineBreaksTellApart()
    {
        var bandit = new StubBandit()
            .Add("a\nb", -1, 0.5).Add("a", -1, 0.4)
            .Add("a\nb|c", 0, 0.3).Add("a|b\nc", 0, 0.2);
        var env = new StubEnvironment(bandit) { IsAnswerStep = Boxed };
        BeamResult result = (await BeamSearch.RunAsync(1, new BeamOptions { Width = 4, ExpansionsPerBeam = 2, MaxDepth = 2 }, env.Expand, env.Score, env.IsAnswerStep))[0];

        Assert.Equal([["a\nb", "c"], ["a", "b\nc"]], result.Finished.Select(f => f.Steps));
        Assert.All(result.Finished, f => Assert.False(f.EndsAtAnswer));
        Assert.Equal(2, Assert.Single(env.ScoreCalls.Skip(1)).Count);
    }

    /// <summary>
    /// Three simulations, c_puct 1.25, priors 0.5 / 0.5 (nodes 1 = paragraph, 2 = "answer: 7"):
    /// boxed: 1. root expanded; 2. N=1: paragraph 0.6 + 0.625 = 1.225, "answer: 7" 0.9 + 0.625 = 1.525 → "answer: 7" is no
    /// answer here, so it is expanded (node 3, boxed 8, 0.7) and backs up 0.9; 3. N=2: paragraph 0.6 + 0.884 = 1.484,
    /// "answer: 7" 0.9 + 0.442 = 1.342 → the paragraph is expanded (node 4, boxed 7, 0.8). Nodes 3 and 4 end at answers;
    /// the best is node 4. Lines: "answer: 7" is terminal: selected at step 2 it backs up 0.9 unexpanded, and it is the
    /// only answer in the tree (the boxed 7 under the paragraph is an ordinary line there).
    /// </summary>
    [Fact]
    public async Task MctsMarksTheAnswerStepsItsFormatReads()
    {
        // The root samples both first steps; every other node its single child twice (merged into one).
        var options = new MctsOptions { Simulations = 3, CandidatesPerExpansion = 2, MaxDepth = 8 };
        var bandit = new StubBandit()
            .Add(Paragraph, Math.Log(0.5), 0.6)
            .Add("answer: 7", Math.Log(0.5), 0.9)
            .Add(Paragraph + "|" + Boxed7, 0, 0.8)
            .Add("answer: 7|$\\boxed{8}$", 0, 0.7);
        var boxedEnv = new StubEnvironment(bandit) { IsAnswerStep = Boxed };
        var linesEnv = new StubEnvironment(bandit) { IsAnswerStep = Lines };

        MctsResult boxed = (await MctsSearch.RunAsync(1, options, boxedEnv.Expand, boxedEnv.Score, boxedEnv.IsAnswerStep))[0];
        SearchTree tree = boxed.Tree;
        Assert.Equal(["", Paragraph, "answer: 7", "$\\boxed{8}$", Boxed7], tree.Text);
        Assert.Equal([false, false, false, true, true], Enumerable.Range(0, tree.Count).Select(tree.EndsAtAnswer));
        Assert.Equal([false, false, false, true, true], tree.Terminal);
        Assert.Equal([Paragraph, Boxed7], boxed.BestTerminal!.Steps);

        MctsResult lines = (await MctsSearch.RunAsync(1, options, linesEnv.Expand, linesEnv.Score, linesEnv.IsAnswerStep))[0];
        tree = lines.Tree;
        Assert.Equal(["", Paragraph, "answer: 7", Boxed7], tree.Text);
        Assert.Equal([false, false, true, false], Enumerable.Range(0, tree.Count).Select(tree.EndsAtAnswer));
        Assert.Equal(["answer: 7"], lines.BestTerminal!.Steps);
        Assert.Equal(["answer: 7"], lines.Steps); // visits tie 1–1; the higher Q (0.9) wins
    }

    [Fact]
    public void ExpansionAsksTheFormatOncePerDistinctFinishedStep()
    {
        var asked = new List<string>();
        IsAnswerStep counting = step => { asked.Add(step); return Boxed(step); };
        var tree = new SearchTree(problem: 0);
        IReadOnlyList<int> toScore = Expansion.Expand(tree, SearchTree.RootIndex,
        [
            new StepCandidate(Boxed7, -1), new StepCandidate(Paragraph, -1), new StepCandidate(Boxed7 + " ", -2),
            new StepCandidate("So the sum is $\\boxed{", -1, Finished: false),
        ], maxDepth: 5, counting);

        Assert.Equal([Boxed7, Paragraph], asked); // merged copies once; a cut-off step is never an answer
        Assert.Equal([1, 2], toScore);
        Assert.Equal([true, false, false], tree.Children(SearchTree.RootIndex).Select(tree.EndsAtAnswer));
        Assert.Equal([true, false, true], tree.Children(SearchTree.RootIndex).Select(c => tree.Terminal[c]));
    }
}
