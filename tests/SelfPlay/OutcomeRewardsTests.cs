using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Tasks;
using Reasoning.SelfPlay.R1.Rewards;
using Reasoning.Tests.Core;

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
        Assert.Equal(format, OutcomeRewards.Format(Arithmetic.SolutionFormat, completion));
        RewardBreakdown both = OutcomeRewards.Score(Arithmetic, Problem, completion, new RewardWeights(Accuracy: 1, Format: 0.25));
        Assert.Equal(new RewardBreakdown(accuracy, format, accuracy + 0.25 * format), both);
    }

    /// <summary>Three quarters of 84 is 63, written as a dataset writes it: paragraphs, the answer boxed.</summary>
    [Theory]
    [InlineData("A quarter of 84 is 21.\n\nThree quarters are 63, so the answer is $\\boxed{63}$.", 1, 1)]
    [InlineData("A quarter of 84 is 21.\n\nSo $\\boxed{\\frac{126}{2}}$.\n\n", 1, 1)]       // 126/2 equals 63
    [InlineData("A quarter of 84 is 21.\n\nThree quarters are 64: $\\boxed{64}$.", 0, 1)]      // well-formed, wrong
    [InlineData("The answer is $\\boxed{63}$.", 1, 0)]                                         // right, but no step before it
    [InlineData("A quarter of 84 is 21.\n\nanswer: 63\n\n", 0, 0)]                            // the line format's answer is none here
    [InlineData("A quarter of 84 is 21.\n\nThree quarters are", 0, 0)]                          // cut off before any answer
    [InlineData("A quarter of 84 is 21.\n\n\u0001\n\nSo $\\boxed{63}$.", 1, 0)]              // a malformed paragraph
    [InlineData("$\\boxed{63", 0, 0)]                                                          // an unbalanced box is no answer
    public void FreeTextIsJudgedByTheTasksFormat(string completion, double accuracy, double format)
    {
        var task = new FreeTextTask();
        Assert.Equal(accuracy, OutcomeRewards.Accuracy(task, FreeTextTask.ThreeQuarters, completion));
        Assert.Equal(format, OutcomeRewards.Format(task.SolutionFormat, completion));
        Assert.Equal(new RewardBreakdown(accuracy, format, accuracy + 0.1 * format), OutcomeRewards.Score(task, FreeTextTask.ThreeQuarters, completion, new RewardWeights()));
    }

    [Fact]
    public void TheSameTextScoresByEachFormatsRules()
    {
        const string gsm8k = "Half of 84 is 42.\n#### 42\n";
        const string lines = "84/2=42\nanswer: 42\n";
        var answers = new FreeTextFormat(AnswerFormat.Gsm8k, "\n");
        Assert.Equal((1.0, 0.0), (OutcomeRewards.Format(answers, gsm8k), OutcomeRewards.Format(LineSolutionFormat.Instance, gsm8k)));
        Assert.Equal((0.0, 1.0), (OutcomeRewards.Format(answers, lines), OutcomeRewards.Format(LineSolutionFormat.Instance, lines)));
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
