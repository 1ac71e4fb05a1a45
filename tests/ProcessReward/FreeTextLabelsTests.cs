using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.ProcessReward.Labels;
using Reasoning.Tests.Core;
using Reasoning.Tests.Core.Jsonl;

namespace Reasoning.Tests.ProcessReward;

/// <summary>Step labels of free-text solutions: paragraphs are the steps, the task's format finds the answer step.</summary>
public sealed class FreeTextLabelsTests
{
    private const string Quarter = "A quarter of 84 is 84 / 4 = 21.";
    private const string WrongThree = "Three quarters are\n3 * 21 = 64.";
    private const string WrongAnswer = "So the answer is $\\boxed{64}$.";

    /// <summary>
    /// Three quarters of 84 (answer 63), a solution that slips at its second paragraph. Rollouts after the first verify
    /// 2 of 4 (63, and 63.0, which equals it; "answer: 63" is no answer in the boxed format), after the second 1 of 4.
    /// </summary>
    private static readonly Dictionary<string, string[]> Rollouts = new()
    {
        [Quarter] = ["Three quarters are 3 * 21 = 63.\n\nThe answer is $\\boxed{63}$.", "Hence $\\boxed{63.0}$.", "answer: 63\n\n", "Hence $\\boxed{64}$."],
        [Quarter + "|" + WrongThree] = ["So $\\boxed{64}$.", "So $\\boxed{64}$.", "No: 3 * 21 = 63, so $\\boxed{63}$.", ""],
    };

    [Theory]
    [InlineData(MonteCarloEstimate.Soft, new[] { 0.5, 0.25, 0 })]
    [InlineData(MonteCarloEstimate.Hard, new[] { 1.0, 1, 0 })]
    public async Task MonteCarloLabelsParagraphSteps(MonteCarloEstimate estimate, double[] expected)
    {
        var task = new FreeTextTask();
        var prefixes = new List<string>();
        RolloutFunction rollout = (asked, k, _) =>
        {
            prefixes.AddRange(asked.Select(p => string.Join('|', p.Prefix)));
            return Task.FromResult<IReadOnlyList<IReadOnlyList<string>>>(asked.Select(p => (IReadOnlyList<string>)Rollouts[string.Join('|', p.Prefix)]).ToList());
        };

        string completion = $"{Quarter}\n\n{WrongThree}\n\n{WrongAnswer}\n\n";
        LabeledSolution labelled = Assert.Single(await MonteCarloStepLabels.LabelAsync(
            task, [(FreeTextTask.ThreeQuarters, completion)], rollout, new MonteCarloOptions(Rollouts: 4, Estimate: estimate)));

        Assert.Equal([Quarter, Quarter + "|" + WrongThree], prefixes);
        Assert.Equal([Quarter, WrongThree, WrongAnswer], labelled.Lines); // the answer step as written, a line break kept inside a paragraph
        Assert.Equal(expected, labelled.Labels);
        Assert.Same(task.SolutionFormat, labelled.Format);
        Assert.True(labelled.EndsWithAnswer);
    }

    [Fact]
    public async Task MonteCarloLabelsOfAGsm8kDatasetReadItsLinesAndMarks()
    {
        // The sample data's first problem: 24 + 18 muffins, 35 sold, 7 left.
        JsonlTask task = JsonlTask.Load(DatasetFiles.Gsm8k());
        Problem muffins = task.Problems[0];
        Assert.Equal("7", muffins.Answer);
        RolloutFunction rollout = (asked, k, _) => Task.FromResult<IReadOnlyList<IReadOnlyList<string>>>(
            asked.Select(p => (IReadOnlyList<string>)(p.Prefix.Count == 1 ? ["She has 42 - 35 = 7 left.\n#### 7\n", "#### 8\n"] : ["#### 7.00\n", "#### 7\n"])).ToList());

        IReadOnlyList<LabeledSolution> labelled = await MonteCarloStepLabels.LabelAsync(
            task, [(muffins, "She makes 24 + 18 = 42.\nShe sells 35.\n#### 8\n")], rollout, new MonteCarloOptions(Rollouts: 2));

        Assert.Equal(["She makes 24 + 18 = 42.", "She sells 35.", "#### 8"], labelled[0].Lines);
        Assert.Equal([0.5, 1, 0], labelled[0].Labels);
    }

    [Fact]
    public void ExactLabelsAreRefusedForADatasetNamingMonteCarlo()
    {
        JsonlTask dataset = JsonlTask.Load(DatasetFiles.MathBoxed());
        var error = Assert.Throws<NotSupportedException>(() => ExactStepLabels.Label(dataset, dataset.Problems[0], "$\\boxed{1}$"));
        Assert.Contains("task 'jsonl:math-style.jsonl' has no step checker", error.Message);
        Assert.Contains("labels: monte_carlo", error.Message);
        Assert.Throws<NotSupportedException>(() => ExactStepLabels.Label(new FreeTextTask(), FreeTextTask.ThreeQuarters, null));
    }

    /// <summary>A task with a step checker and free-text solutions: exact labels read its paragraphs and its GSM8K answer step.</summary>
    [Fact]
    public void ExactLabelsReadTheTasksFormat()
    {
        var task = new ScriptedTask(StepVerdict.Good(false), StepVerdict.DeadEnd("stuck")) { SolutionFormat = new FreeTextFormat(AnswerFormat.Gsm8k) };
        Problem problem = task.Generate(1, new DeterministicRandom(0));

        LabeledSolution labelled = ExactStepLabels.Label(task, problem, "first\nstill first\n\nsecond\n\n#### right\n\nignored\n\n");
        Assert.Equal(["first\nstill first", "second", "#### right"], labelled.Lines);
        Assert.Equal([1.0, 0, 1], labelled.Labels);
        Assert.True(labelled.EndsWithAnswer);

        // In this format "answer: right" is a step like any other: no answer, so no answer label.
        Assert.Equal(["first", "answer: right"], ExactStepLabels.Label(task, problem, "first\n\nanswer: right\n\n").Lines);
    }

    [Fact]
    public void LinesOfAParsedSolutionEndWithItsAnswerStep()
    {
        var boxed = new FreeTextFormat(AnswerFormat.Boxed);
        Assert.Equal([Quarter, "Thus $\\boxed{63}$ in all."], LabeledSolution.LinesOf(boxed.ParseCompletion($"{Quarter}\n\nThus $\\boxed{{63}}$ in all."), boxed));
        // SolutionText's own parse names no answer step: the format writes one.
        Assert.Equal(["1+1=2", "answer: 2"], LabeledSolution.LinesOf(SolutionText.ParseCompletion("1+1=2\n  Answer:  2\n"), LineSolutionFormat.Instance));
        Assert.Equal(["1+1=2", "#### 2"], LabeledSolution.LinesOf(SolutionText.ParseCompletion("1+1=2\nanswer: 2\n"), new FreeTextFormat(AnswerFormat.Gsm8k)));
    }

    [Fact]
    public void AnOutcomeRewardModelSeesTheAnswerStepOfItsFormat()
    {
        var boxed = new FreeTextFormat(AnswerFormat.Boxed);
        Assert.True(new LabeledSolution("p", "q", [Quarter, WrongAnswer], [1, 0]) { Format = boxed }.EndsWithAnswer);
        Assert.False(new LabeledSolution("p", "q", [Quarter, "answer: 64"], [1, 0]) { Format = boxed }.EndsWithAnswer);
        Assert.True(new LabeledSolution("p", "q", [Quarter, "answer: 64"], [1, 0]).EndsWithAnswer); // the line format, by default
    }
}
