using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Search.Mcts.BestOfN;
using Reasoning.Search.Mcts.Strategies;

namespace Reasoning.Tests.Search.Strategies;

/// <summary><c>best-of-n</c>'s choice among its sampled solutions, on GSM8K-style free text.</summary>
public sealed class BestOfNChoiceTests
{
    private static readonly ISolutionFormat Gsm8k = JsonlTask.FormatFor(AnswerFormat.Gsm8k);

    private static readonly IReadOnlyList<Question> Questions = [new("q1", "How many?"), new("q2", "How many more?")];

    /// <summary>Question 1: 1,234 twice (written two ways), 1243 once, one without an answer; question 2: none answers.</summary>
    private static readonly string[] Texts =
    [
        "1200 + 34 = 1234\n#### 1234\n",
        "1200 + 43 = 1243\n#### 1243\n",
        "1200 + 34 is 1,234\n#### 1,234\n",
        "1200 + 34 = 1234\nanswer: 1234\n",
        "no idea\n", "still none\n", "#### \n", "",
    ];

    /// <summary>
    /// Scores 0.2, 0.5, 0.4 and 0.9: max score takes 1243 (0.5), since the answerless 0.9 counts 0; weighted majority takes
    /// 1234 (0.2 + 0.4 = 0.6 > 0.5) at its best-scoring text, index 2 (written 1,234); plain majority 1234 at its first text.
    /// </summary>
    [Theory]
    [InlineData(BestOfNMode.MaxScore, "1243", 1)]
    [InlineData(BestOfNMode.WeightedMajority, "1,234", 2)]
    [InlineData(BestOfNMode.Majority, "1234", 0)]
    public void AnswersAreReadAndGroupedByTheTasksFormat(BestOfNMode mode, string answer, int text)
    {
        var parsed = Texts.Select(t => Gsm8k.ParseCompletion(t)).ToList();
        double[]? scores = mode == BestOfNMode.Majority ? null : [0.2, 0.5, 0.4, 0.9, 0.7, 0.7, 0.7, 0.7];

        IReadOnlyList<Attempt> attempts = BestOfNStrategy.Choose(Questions, Texts, parsed, scores, mode, Gsm8k);

        Assert.Equal(new Attempt("q1", answer, Texts[text], attempts[0].Candidates), attempts[0]);
        Assert.Equal(new Attempt("q2", null, Texts[4], attempts[1].Candidates), attempts[1]); // no answer: the first text
        if (scores is null)
        {
            Assert.Null(attempts[0].Candidates);
        }
        else
        {
            Assert.Equal(
                [new ScoredAnswer("1234", 0.2), new ScoredAnswer("1243", 0.5), new ScoredAnswer("1,234", 0.4), new ScoredAnswer(null, 0)],
                attempts[0].Candidates!);
            Assert.All(attempts[1].Candidates!, c => Assert.Equal(new ScoredAnswer(null, 0), c));
        }
    }
}
