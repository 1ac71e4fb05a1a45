using Reasoning.Search.Mcts;

namespace Reasoning.Tests.Search;

public sealed class MctsSearchTests
{
    /// <summary>
    /// Three first steps with priors 0.5 / 0.3 / 0.2 and scores 0.6 / 0.5 / 0.2, each followed by one answer
    /// scoring 0.3 / 0.9 / 0.1. The policy and the first-step scores favour "a"; only its answer is poor.
    /// </summary>
    internal static StubBandit Golden() => new StubBandit()
        .Add("a", Math.Log(0.5), 0.6)
        .Add("b", Math.Log(0.3), 0.5)
        .Add("c", Math.Log(0.2), 0.2)
        .Add("a|answer: 1", 0, 0.3)
        .Add("b|answer: 2", 0, 0.9)
        .Add("c|answer: 3", 0, 0.1);

    private static MctsOptions Options(int simulations, int candidates = 3, double temperature = 0, FinalSelection final = FinalSelection.MostVisited) =>
        new() { Simulations = simulations, CandidatesPerExpansion = candidates, MaxDepth = 8, Temperature = temperature, FinalSelection = final };

    private static async Task<IReadOnlyList<MctsResult>> Run(StubEnvironment env, MctsOptions options, long seed = 0) =>
        await MctsSearch.RunAsync(env.ProblemCount, options, env.Expand, env.Score, env.IsAnswerStep, seed);

    /// <summary>
    /// Worked by hand with c_puct = 1.25 (PUCT = Q + 1.25·P·√N(root)/(1 + N)):
    /// 1. root expanded (children a, b, c scored), backs up the root's 0;
    /// 2. N=1: a 0.6+0.625=1.225, b 0.875, c 0.45 → a expanded, backs up 0.6;
    /// 3. N=2: a 0.6+0.4419=1.0419, b 0.5+0.5303=1.0303 → a → its answer (terminal) backs up 0.3;
    /// 4. N=3: a 0.45+0.3608=0.8108, b 0.5+0.6495=1.1495, c 0.6330 → b expanded, backs up 0.5;
    /// 5. N=4: a 0.8667, b 0.5+0.375=0.875, c 0.7 → b → its answer backs up 0.9;
    /// 6. N=5: a 0.9158, b 0.7+0.2795=0.9795, c 0.7590 → b → its answer backs up 0.9.
    /// Visits a 2, b 3, c 0; Q a 0.45, b 2.3/3, c 0.2 (its score, unvisited).
    /// </summary>
    [Fact]
    public async Task GoldenTreeAfterSixSimulations()
    {
        var env = new StubEnvironment(Golden());
        MctsResult result = (await Run(env, Options(6)))[0];
        SearchTree tree = result.Tree;

        int[] children = tree.Children(SearchTree.RootIndex).ToArray();
        Assert.Equal(["a", "b", "c"], children.Select(c => tree.Text[c]));
        Assert.Equal([2, 3, 0], children.Select(c => tree.VisitCount[c]));
        Assert.Equal(0.45, tree.Q(children[0]), 1e-9);
        Assert.Equal(2.3 / 3, tree.Q(children[1]), 1e-9);
        Assert.Equal(0.2, tree.Q(children[2]), 1e-9);
        Assert.Equal([0.5, 0.3, 0.2], children.Select(c => Math.Round(tree.Prior[c], 12)));
        Assert.Equal(6, tree.VisitCount[SearchTree.RootIndex]);
        Assert.Equal(3.2, tree.ValueSum[SearchTree.RootIndex], 1e-9);
        Assert.Equal(6, tree.Count);

        Assert.Equal(["b", "answer: 2"], result.Steps);
        Assert.True(result.EndsAtAnswer);
        Assert.False(result.NeedsCompletion);
        Assert.Equal(["b", "answer: 2"], result.BestTerminal!.Steps);
        Assert.Equal(0.9, result.BestTerminal.Score);
        Assert.Equal(3, result.Expansions);
        Assert.Equal(5, result.Evaluations);
    }

    [Fact]
    public async Task VisitsConcentrateOnTheBestBranch()
    {
        var env = new StubEnvironment(Golden());
        SearchTree tree = (await Run(env, Options(64)))[0].Tree;

        int[] children = tree.Children(SearchTree.RootIndex).ToArray();
        Assert.True(tree.VisitCount[children[1]] > 2 * tree.VisitCount[children[0]], "b should dominate a");
        Assert.True(tree.VisitCount[children[1]] > 2 * tree.VisitCount[children[2]], "b should dominate c");
        Assert.True(tree.VisitCount[children[1]] > 32);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(2L)]
    [InlineData(3L)]
    [InlineData(4L)]
    [InlineData(5L)]
    [InlineData(6L)]
    [InlineData(7L)]
    [InlineData(8L)]
    public async Task APerfectValueFunctionFindsTheRightAnswer(long seed)
    {
        var bandits = Enumerable.Range(0, 4).Select(i => StubBandit.Random(seed * 10 + i, depth: 3, branching: 3, solvable: i != 3)).ToArray();
        var env = new StubEnvironment(bandits);
        IReadOnlyList<MctsResult> results = await Run(env, Options(simulations: 40, candidates: 3));

        for (int p = 0; p < bandits.Length; p++)
        {
            if (bandits[p].RightAnswer is { } answer)
            {
                Assert.True(results[p].EndsAtAnswer, $"problem {p} ended at {string.Join(" | ", results[p].Steps)}");
                Assert.Equal("answer: " + answer, results[p].Steps[^1]);
                Assert.Equal(1.0, results[p].BestTerminal!.Score);
            }
        }
    }

    /// <summary>One candidate per node: the search can only walk the chain; a too-small budget stops above the answer.</summary>
    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(2, 2, false)]
    [InlineData(3, 3, true)]
    [InlineData(20, 3, true)]
    public async Task OneLegalMoveWalksTheChain(int simulations, int expectedSteps, bool expectAnswer)
    {
        var chain = new StubBandit().Add("x", -5, 0.5).Add("x|y", -7, 0.6).Add("x|y|answer: 9", -1, 0.7);
        MctsResult result = (await Run(new StubEnvironment(chain), Options(simulations, candidates: 4)))[0];

        Assert.Equal(new[] { "x", "y", "answer: 9" }.Take(expectedSteps), result.Steps);
        Assert.Equal(expectAnswer, result.EndsAtAnswer);
        Assert.Equal(!expectAnswer, result.NeedsCompletion);
        Assert.All(Enumerable.Range(1, result.Tree.Count - 1), n => Assert.Equal(1.0, result.Tree.Prior[n]));
        Assert.All(Enumerable.Range(1, result.Tree.Count - 1), n => Assert.Equal(4, result.Tree.Copies[n]));
    }

    [Theory]
    [InlineData(1e4, -1e4)]
    [InlineData(-1e4, -1e4)]
    [InlineData(1e308, -1e308)]
    [InlineData(double.NegativeInfinity, double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity, 0)]
    [InlineData(double.NaN, -1)]
    public async Task HugeLogProbabilitiesGiveNoNaN(double first, double second)
    {
        var bandit = new StubBandit()
            .Add("p", first, 0.2).Add("q", second, 0.8)
            .Add("p|answer: 1", first, 0.2).Add("q|answer: 2", second, 0.8);
        MctsResult result = (await Run(new StubEnvironment(bandit), Options(16, candidates: 2)))[0];
        SearchTree tree = result.Tree;

        for (int node = 0; node < tree.Count; node++)
        {
            Assert.False(double.IsNaN(tree.Prior[node]), $"prior of node {node}");
            Assert.False(double.IsNaN(tree.Q(node)), $"Q of node {node}");
            if (node != SearchTree.RootIndex)
            {
                Assert.False(double.IsNaN(Selection.Puct(tree, node, Selection.DefaultExplorationConstant)), $"PUCT of node {node}");
            }
        }

        Assert.True(result.EndsAtAnswer);
    }

    [Fact]
    public async Task DuplicateCandidatesMergeIntoOneChild()
    {
        var bandit = new StubBandit()
            .Add("x", -1, 0.5).Add("y", -2, 0.5).Add(" x ", -1, 0.5).Add("x", -1, 0.5)
            .Add("x|answer: 1", 0, 1);
        var env = new StubEnvironment(bandit);
        SearchTree tree = (await Run(env, Options(1, candidates: 4)))[0].Tree;

        int[] children = tree.Children(SearchTree.RootIndex).ToArray();
        Assert.Equal(["x", "y"], children.Select(c => tree.Text[c]));
        Assert.Equal([3, 1], children.Select(c => tree.Copies[c]));
        // log-sum-exp of three copies of −1 is −1 + ln 3: priors 3e⁻¹ : e⁻² = 3e : 1.
        double expected = 3 * Math.E / ((3 * Math.E) + 1);
        Assert.Equal(expected, tree.Prior[children[0]], 1e-12);
        Assert.Equal(1 - expected, tree.Prior[children[1]], 1e-12);
        Assert.Equal(2, env.ScoreCalls.Single().Count);
    }

    [Fact]
    public async Task ACutOffLineIsADeadEndScoredZeroWithoutTheRewardModel()
    {
        var bandit = new StubBandit()
            .Add("answer: 4", -1, 0.9, finished: false)
            .Add("s", -1, 0.4)
            .Add("s|answer: 5", 0, 0.6);
        var env = new StubEnvironment(bandit);
        MctsResult result = (await Run(env, Options(12, candidates: 2)))[0];
        SearchTree tree = result.Tree;

        int cut = tree.Children(SearchTree.RootIndex).First();
        Assert.True(tree.CutOff[cut]);
        Assert.True(tree.Terminal[cut]);
        Assert.Equal(0, tree.Score[cut]);
        Assert.False(tree.EndsAtAnswer(cut));
        Assert.DoesNotContain(env.ScoreCalls.SelectMany(c => c), s => s.Steps.SequenceEqual(["answer: 4"]));
        Assert.Equal(["s", "answer: 5"], result.Steps);
        Assert.Equal(["s", "answer: 5"], result.BestTerminal!.Steps);
    }

    [Fact]
    public async Task AnExpandedLeafBacksUpItsOwnScoreNotItsChildren()
    {
        var bandit = new StubBandit()
            .Add("s", 0, 0.4)
            .Add("s|good", -1, 0.9).Add("s|bad", -1, 0.1);
        SearchTree tree = (await Run(new StubEnvironment(bandit), Options(2, candidates: 2)))[0].Tree;

        int s = tree.Children(SearchTree.RootIndex).Single();
        Assert.Equal(2, tree.Children(s).Count());
        Assert.Equal(1, tree.VisitCount[s]);
        Assert.Equal(0.4, tree.ValueSum[s], 1e-12);
        Assert.Equal(0.4, tree.ValueSum[SearchTree.RootIndex], 1e-12);
    }

    [Fact]
    public async Task EachRoundMakesOneExpandAndOneScoreCallForAllTrees()
    {
        var env = new StubEnvironment(StubBandit.Full(8, 2), StubBandit.Full(8, 3), StubBandit.Full(8, 2));
        IReadOnlyList<MctsResult> results = await Run(env, Options(5, candidates: 2));

        Assert.Equal(5, env.ExpandCalls.Count);
        Assert.Equal(5, env.ScoreCalls.Count);
        Assert.All(env.ExpandCalls, call => Assert.Equal([0, 1, 2], call.Select(s => s.Problem)));
        Assert.All(env.ScoreCalls, call => Assert.Equal([0, 1, 2], call.Select(s => s.Problem).Distinct()));
        Assert.All(results, r => Assert.Equal(5, r.Expansions));
        Assert.Equal(env.ScoreCalls.Sum(c => c.Count), results.Sum(r => r.Evaluations));
    }

    [Fact]
    public async Task RoundsWhoseLeavesAreAllTerminalCallNoModel()
    {
        var env = new StubEnvironment(Golden(), Golden(), Golden());
        await Run(env, Options(6));

        // The golden trace expands in simulations 1, 2 and 4 only, in every tree alike.
        Assert.Equal(3, env.ExpandCalls.Count);
        Assert.All(env.ExpandCalls, call => Assert.Equal(3, call.Count));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(100.0)]
    public async Task TheFinalChoiceIsRepeatableForAFixedSeed(double temperature)
    {
        var env = new StubEnvironment(Golden());
        var first = (await Run(env, Options(24, temperature: temperature), seed: 42))[0].Steps;
        var again = (await Run(env, Options(24, temperature: temperature), seed: 42))[0].Steps;
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task TemperatureZeroIgnoresTheSeedAndAboveZeroSamples()
    {
        var env = new StubEnvironment(Golden());
        var greedy = new HashSet<string>();
        var sampled = new HashSet<string>();
        for (long seed = 0; seed < 40; seed++)
        {
            greedy.Add((await Run(env, Options(24), seed))[0].Steps[0]);
            sampled.Add((await Run(env, Options(24, temperature: 1), seed))[0].Steps[0]);
        }

        Assert.Equal(["b"], greedy);
        Assert.Contains("a", sampled);
        Assert.Contains("b", sampled);
    }

    [Fact]
    public async Task BestValueFollowsTheHighestQ()
    {
        var env = new StubEnvironment(Golden());
        MctsResult result = (await Run(env, Options(6, final: FinalSelection.BestValue)))[0];
        Assert.Equal(["b", "answer: 2"], result.Steps);
    }

    [Theory]
    [InlineData(0, 3, 8, 1.25, 0.0, FinalSelection.MostVisited, "simulations")]
    [InlineData(4, 0, 8, 1.25, 0.0, FinalSelection.MostVisited, "candidates_per_expansion")]
    [InlineData(4, 3, 0, 1.25, 0.0, FinalSelection.MostVisited, "max_depth")]
    [InlineData(4, 3, 8, -1.0, 0.0, FinalSelection.MostVisited, "exploration_constant")]
    [InlineData(4, 3, 8, 1.25, -1.0, FinalSelection.MostVisited, "temperature")]
    [InlineData(4, 3, 8, 1.25, 1.0, FinalSelection.BestValue, "temperature")]
    public async Task InvalidOptionsFailNamingTheKey(int simulations, int candidates, int depth, double c, double temperature, FinalSelection final, string key)
    {
        var options = new MctsOptions
        {
            Simulations = simulations, CandidatesPerExpansion = candidates, MaxDepth = depth,
            ExplorationConstant = c, Temperature = temperature, FinalSelection = final,
        };
        var env = new StubEnvironment(Golden());
        var error = await Assert.ThrowsAsync<ArgumentException>(() => MctsSearch.RunAsync(1, options, env.Expand, env.Score, env.IsAnswerStep));
        Assert.Contains(key, error.Message);
        Assert.Empty(env.ExpandCalls);
    }

    [Fact]
    public async Task DelegatesAnsweringTheWrongNumberOfStatesFail()
    {
        var env = new StubEnvironment(Golden());
        ScoreStates tooFew = (_, _) => Task.FromResult<IReadOnlyList<double>>([0.5]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => MctsSearch.RunAsync(1, Options(2), env.Expand, tooFew, env.IsAnswerStep));
    }

    [Fact]
    public async Task ScoresAreClampedAndNaNCountsAsZero()
    {
        var env = new StubEnvironment(Golden());
        ScoreStates garbage = (states, _) => Task.FromResult<IReadOnlyList<double>>(
            states.Select(s => s.Steps[^1] switch { "a" => double.NaN, "b" => 7.0, _ => -3.0 }).ToList());
        SearchTree tree = (await MctsSearch.RunAsync(1, Options(1), env.Expand, garbage, env.IsAnswerStep))[0].Tree;
        Assert.Equal([0.0, 1.0, 0.0], tree.Children(SearchTree.RootIndex).Select(c => tree.Score[c]));
    }

    [Fact]
    public async Task NoProblemsNoCalls()
    {
        var env = new StubEnvironment();
        Assert.Empty(await Run(env, Options(4)));
        Assert.Empty(env.ExpandCalls);
    }
}
