using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Tasks;

namespace Reasoning.Tests.Core;

/// <summary>
/// A dataset-like task in a few lines: free-text solutions (<see cref="FreeTextFormat"/>: paragraphs and
/// <c>\boxed{}</c> unless told otherwise), answers compared as <see cref="AnswerEquivalence"/> compares them, and no
/// step checker. Its one problem asks for 3/4 of 84 (answer 63).
/// </summary>
internal sealed class FreeTextTask(AnswerFormat answers = AnswerFormat.Boxed, string separator = FreeTextFormat.ParagraphSeparator) : IReasoningTask
{
    public static Problem ThreeQuarters { get; } = Problem.Create(
        "free-text", 0, "What is three quarters of 84?", "63", ["A quarter of 84 is 84 / 4 = 21.", "Three quarters are 3 * 21 = 63, so the answer is $\\boxed{63}$."]);

    public string Name => "free-text";

    public string Description => "free-text solutions, no step checker";

    public int MinDifficulty => 0;

    public int MaxDifficulty => 0;

    public string Alphabet => "";

    public ISolutionFormat SolutionFormat { get; } = new FreeTextFormat(answers, separator);

    public bool HasStepChecker => false;

    public Problem Generate(int difficulty, DeterministicRandom random) => ThreeQuarters;

    public bool VerifyAnswer(Problem problem, string? answer) => AnswerEquivalence.AreEquivalent(problem.Answer, answer);

    public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps) => throw ReasoningTaskExtensions.NoStepChecker(this);
}
