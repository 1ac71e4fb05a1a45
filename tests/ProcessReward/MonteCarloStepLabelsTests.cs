using Reasoning.Core.Problems;
using Reasoning.Core.Tasks.Arithmetic;
using Reasoning.ProcessReward.Labels;

namespace Reasoning.Tests.ProcessReward;

public sealed class MonteCarloStepLabelsTests
{
    private static readonly Problem First = Problem.Create("arithmetic", 2, "(3+4)*5", "35", ["3+4=7", "7*5=35"]);
    private static readonly Problem Second = Problem.Create("arithmetic", 1, "2*3", "6", ["2*3=6"]);

    /// <summary>Continuations by prefix: after "3+4=7", 3 of 4 reach 35; after "7*5=36", none does; after "2*3=5", 1 of 4.</summary>
    private static readonly Dictionary<string, string[]> Script = new()
    {
        ["3+4=7"] = ["7*5=35\nanswer: 35\n", "answer: 35\n", "7*5=36\nanswer: 36\n", "7*5=35\nanswer: 35\n"],
        ["3+4=7|7*5=36"] = ["answer: 36\n", "answer: 35", "garbage", ""],
        ["2*3=5"] = ["answer: 6\n", "answer: 5\n", "answer: 5\n", "answer: 5\n"],
    };

    [Theory]
    [InlineData(MonteCarloEstimate.Soft, new[] { 0.75, 0, 0 }, new[] { 0.25 })]
    [InlineData(MonteCarloEstimate.Hard, new[] { 1.0, 0, 0 }, new[] { 1.0 })]
    public async Task LabelsAreTheFractionOfRolloutsThatReachARightAnswer(MonteCarloEstimate estimate, double[] first, double[] second)
    {
        var calls = new List<(IReadOnlyList<(Problem Problem, IReadOnlyList<string> Prefix)> Prefixes, int K)>();
        RolloutFunction rollout = (prefixes, k, _) =>
        {
            calls.Add((prefixes, k));
            IReadOnlyList<IReadOnlyList<string>> texts = prefixes.Select(p => (IReadOnlyList<string>)Script[string.Join('|', p.Prefix)]).ToList();
            return Task.FromResult(texts);
        };

        IReadOnlyList<LabeledSolution> labelled = await MonteCarloStepLabels.LabelAsync(
            new ArithmeticTask(),
            [(First, "3+4=7\n7*5=36\nanswer: 36\n"), (Second, "2*3=5\n"), (Second, "")],
            rollout, new MonteCarloOptions(Rollouts: 4, Estimate: estimate));

        (var prefixes, int k) = Assert.Single(calls);
        Assert.Equal(4, k);
        Assert.Equal(["3+4=7", "3+4=7|7*5=36", "2*3=5"], prefixes.Select(p => string.Join('|', p.Prefix)));
        Assert.Equal([First, First, Second], prefixes.Select(p => p.Problem));
        // The answer line (36 is wrong) is labelled by the verifier, not by rollouts.
        Assert.Equal(first, labelled[0].Labels);
        Assert.Equal(["3+4=7", "7*5=36", "answer: 36"], labelled[0].Lines);
        Assert.Equal(second, labelled[1].Labels);
        Assert.Empty(labelled[2].Lines);
    }

    [Fact]
    public async Task ARolloutFunctionThatLosesPrefixesIsReported()
    {
        RolloutFunction rollout = (_, _, _) => Task.FromResult<IReadOnlyList<IReadOnlyList<string>>>([]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            MonteCarloStepLabels.LabelAsync(new ArithmeticTask(), [(Second, "2*3=6\nanswer: 6\n")], rollout, new MonteCarloOptions()));
        Assert.Contains("it was given 1", error.Message);
    }

    [Fact]
    public async Task WithoutStepsTheRolloutFunctionIsNotCalled()
    {
        int calls = 0;
        RolloutFunction rollout = (_, _, _) => { calls++; return Task.FromResult<IReadOnlyList<IReadOnlyList<string>>>([]); };
        var labelled = await MonteCarloStepLabels.LabelAsync(new ArithmeticTask(), [(Second, "answer: 6\n")], rollout, new MonteCarloOptions());
        Assert.Equal(0, calls);
        Assert.Equal([1.0], labelled[0].Labels);
    }

    [Fact]
    public void InvalidOptionsNameTheKey() =>
        Assert.Contains("Rollouts", Assert.Throws<ArgumentOutOfRangeException>(() => new MonteCarloOptions(Rollouts: 0).Validate()).Message);
}
