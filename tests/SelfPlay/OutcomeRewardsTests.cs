using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.SelfPlay.R1.Rewards;

namespace Reasoning.Tests.SelfPlay;

public sealed class OutcomeRewardsTests
{
    private static readonly IReasoningTask Arithmetic = TaskRegistry.CreateDefault().Get("arithmetic");

    // (3+4)*5-6 = 29
    private static readonly Problem Problem = Problem.Create("arithmetic", 3, "(3+4)*5-6", "29", ["3+4=7", "7*5=35", "35-6=29"]);

    [Theory]
    [InlineData("3+4=7\n7*5=35\n35-6=29\nanswer: 29\n", 1, 1)]
    [InlineData("3+4=7\n7*5=36\n36-6=30\nanswer: 30\n", 0, 1)]       // well-formed, wrong
    [InlineData("answer: 29\n", 1, 0)]                               // right, but no steps
    [InlineData("3+4=7\n7*5=35\n35-6=29\n", 0, 0)]                   // no answer line
    [InlineData("3+4=7\n7*5=35\n35-6=29\nanswer: 29", 0, 0)]         // the answer line was cut off
    [InlineData("3+4=7\n\u0001\u0002\n35-6=29\nanswer: 29\n", 1, 0)] // a malformed line
    [InlineData("", 0, 0)]
    [InlineData(null, 0, 0)]
    [InlineData("\uFFFD\uFFFD\n\n\nanswer: \uD800\n", 0, 0)]         // garbage never throws
    public void AccuracyAndFormatAreJudgedApart(string? completion, double accuracy, double format)
    {
        Assert.Equal(accuracy, OutcomeRewards.Accuracy(Arithmetic, Problem, completion));
        Assert.Equal(format, OutcomeRewards.Format(completion));
        RewardBreakdown both = OutcomeRewards.Score(Arithmetic, Problem, completion, new RewardWeights(Accuracy: 1, Format: 0.25));
        Assert.Equal(new RewardBreakdown(accuracy, format, accuracy + 0.25 * format), both);
    }

    [Fact]
    public void AVerifierThatThrowsCountsAsAWrongAnswer()
    {
        Assert.Equal(0, OutcomeRewards.Accuracy(new ThrowingTask(), Problem, "1+1=2\nanswer: 2\n"));
    }

    [Theory]
    [InlineData(-1, 0.1)]
    [InlineData(1, double.NaN)]
    [InlineData(0, 0)]
    public void BadWeightsAreRefusedWithTheirKeys(double accuracy, double format)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RewardWeights(accuracy, format).Validate());
        Assert.Contains("accuracy_weight", error.Message);
        Assert.Contains("format_weight", error.Message);
    }

    private sealed class ThrowingTask : IReasoningTask
    {
        public string Name => "throwing";

        public string Description => "a task whose verifier throws";

        public int MinDifficulty => 1;

        public int MaxDifficulty => 1;

        public string Alphabet => "0123456789+=";

        public Problem Generate(int difficulty, DeterministicRandom random) => throw new NotSupportedException();

        public bool VerifyAnswer(Problem problem, string? answer) => throw new InvalidOperationException("verifier bug");

        public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps) => throw new NotSupportedException();
    }
}
