using Reasoning.Core.Solutions;
using Reasoning.Search.Mcts;
using Reasoning.Search.Mcts.Beam;

namespace Reasoning.Tests.Search;

public sealed class BeamSearchTests
{
    private static BeamOptions Options(int width, int expansions = 3, int depth = 8) =>
        new() { Width = width, ExpansionsPerBeam = expansions, MaxDepth = depth };

    private static async Task<IReadOnlyList<BeamResult>> Run(StubEnvironment env, BeamOptions options) =>
        await BeamSearch.RunAsync(env.ProblemCount, options, env.Expand, env.Score, env.IsAnswerStep);

    [Fact]
    public async Task BeamPicksTheKnownBest()
    {
        // Width 2 keeps b (0.8) and c (0.5) and prunes a (0.3), so a's 0.99 answer is never seen.
        var bandit = new StubBandit()
            .Add("a", -1, 0.3).Add("b", -1, 0.8).Add("c", -1, 0.5)
            .Add("a|answer: 1", 0, 0.99).Add("b|answer: 2", 0, 0.95).Add("c|answer: 3", 0, 0.4);
        var env = new StubEnvironment(bandit);
        BeamResult result = (await Run(env, Options(width: 2)))[0];

        Assert.Equal(["b", "answer: 2"], result.Steps);
        Assert.True(result.EndsAtAnswer);
        Assert.False(result.NeedsCompletion);
        Assert.Equal(0.95, result.Chosen.Score);
        Assert.Equal([["b", "answer: 2"], ["c", "answer: 3"]], result.Finished.Select(f => f.Steps));
        Assert.Equal([1, 2], env.ExpandCalls.Select(c => c.Count));
        Assert.Equal([3, 2], env.ScoreCalls.Select(c => c.Count));
        Assert.Equal(3, result.Expansions);
        Assert.Equal(5, result.Evaluations);
    }

    [Theory]
    [InlineData(11L)]
    [InlineData(12L)]
    [InlineData(13L)]
    [InlineData(14L)]
    [InlineData(15L)]
    public async Task WidthOneIsGreedyByScore(long seed)
    {
        StubBandit bandit = StubBandit.Random(seed, depth: 4, branching: 3, randomScores: true);
        BeamResult result = (await Run(new StubEnvironment(bandit), Options(width: 1, expansions: 2, depth: 8)))[0];
        Assert.Equal(Greedy(bandit, samples: 2, maxDepth: 8), result.Steps);
    }

    /// <summary>The reference: take the best-scoring distinct sampled line (ties: earlier) until a terminal line.</summary>
    private static List<string> Greedy(StubBandit bandit, int samples, int maxDepth)
    {
        var steps = new List<string>();
        while (true)
        {
            var candidates = bandit.Sample(steps, samples).DistinctBy(c => (c.Text.Trim(), c.Finished)).ToList();
            if (candidates.Count == 0)
            {
                return steps;
            }

            StepCandidate best = candidates.MaxBy(c => c.Finished ? bandit.ScoreOf([.. steps, c.Text]) : 0)!;
            steps.Add(best.Text.Trim());
            if (!best.Finished || steps.Count >= maxDepth || SolutionText.IsAnswerLine(best.Text))
            {
                return steps;
            }
        }
    }

    [Fact]
    public async Task FinishedBeamsShrinkTheWidth()
    {
        var bandit = new StubBandit()
            .Add("answer: 0", -1, 0.9).Add("s", -1, 0.5).Add("t", -1, 0.4).Add("u", -1, 0.1)
            .Add("s|answer: 1", -1, 0.2).Add("s|s2", -1, 0.3).Add("t|answer: 2", -1, 0.6)
            .Add("s|s2|answer: 3", -1, 0.7);
        var env = new StubEnvironment(bandit);
        BeamResult result = (await Run(env, Options(width: 3, expansions: 4)))[0];

        Assert.Equal([1, 2, 1], env.ExpandCalls.Select(c => c.Count));
        Assert.Equal([["answer: 0"], ["t", "answer: 2"], ["s", "s2", "answer: 3"]], result.Finished.Select(f => f.Steps));
        Assert.Equal(["answer: 0"], result.Steps);
    }

    [Fact]
    public async Task EachRoundMakesOneExpandAndOneScoreCallForAllProblems()
    {
        var env = new StubEnvironment(StubBandit.Full(4, 2), StubBandit.Full(4, 3), StubBandit.Full(4, 2));
        IReadOnlyList<BeamResult> results = await Run(env, Options(width: 2, expansions: 2));

        Assert.Equal([3, 6, 6, 6], env.ExpandCalls.Select(c => c.Count));
        Assert.Equal(4, env.ScoreCalls.Count);
        Assert.All(env.ExpandCalls.Concat(env.ScoreCalls), call => Assert.Equal([0, 1, 2], call.Select(s => s.Problem).Distinct()));
        Assert.All(results, r => Assert.True(r.EndsAtAnswer));
        Assert.All(results, r => Assert.Equal(2, r.Finished.Count));
        // Full trees score a line by its index: the last-sampled child of every node is best.
        Assert.Equal(["s0.1", "s1.1", "s2.1", "answer: 1"], results[0].Steps);
    }

    [Fact]
    public async Task DuplicatesAreScoredOnceAndKeptOnce()
    {
        var bandit = new StubBandit().Add("x", -1, 0.5).Add("answer: 1", -1, 0.2).Add("x|answer: 2", 0, 0.9);
        var env = new StubEnvironment(bandit);
        BeamResult result = (await Run(env, Options(width: 3, expansions: 4)))[0];

        Assert.Equal(2, env.ScoreCalls[0].Count);
        Assert.Equal([["answer: 1"], ["x", "answer: 2"]], result.Finished.Select(f => f.Steps));
        Assert.Equal(["x", "answer: 2"], result.Steps);
    }

    [Fact]
    public async Task WithNoFinishedBeamTheBestUnfinishedOneIsFlagged()
    {
        var bandit = new StubBandit().Add("s", -1, 0.5).Add("t", -1, 0.6);
        BeamResult result = (await Run(new StubEnvironment(bandit), Options(width: 2)))[0];

        Assert.Equal(["t"], result.Steps);
        Assert.True(result.NeedsCompletion);
        Assert.False(result.EndsAtAnswer);
        Assert.Empty(result.Finished);
    }

    [Fact]
    public async Task AnAnsweredBeamBeatsAHigherScoringOneWithoutAnAnswer()
    {
        var bandit = new StubBandit().Add("answer: 1", -1, 0.3).Add("t", -1, 0.7).Add("cut", -1, 0.99, finished: false);
        var env = new StubEnvironment(bandit);
        BeamResult result = (await Run(env, Options(width: 3, depth: 1)))[0];

        Assert.Equal(["answer: 1"], result.Steps);
        Assert.Equal(3, result.Finished.Count);
        Assert.Equal(0, result.Finished.Single(f => f.Steps[0] == "cut").Score);
        Assert.Equal(2, env.ScoreCalls.Single().Count);
    }

    [Fact]
    public async Task InvalidOptionsFailNamingTheKey()
    {
        var env = new StubEnvironment(StubBandit.Full(2, 2));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Run(env, Options(width: 0)));
        Assert.Contains("width", error.Message);
    }
}
