using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Strategies;
using Reasoning.Core.Voting;

namespace Reasoning.Tests.Core;

public sealed class MajorityVoteTests
{
    private static readonly ISolutionFormat Lines = LineSolutionFormat.Instance;
    private static readonly ISolutionFormat Gsm8k = new FreeTextFormat(AnswerFormat.Gsm8k);

    [Fact]
    public void TheMostFrequentAnswerWins() => Assert.Equal(("7", 1), MajorityVote.Choose(["5", "7", " 7 ", null, "5", "7"], Lines));

    [Fact]
    public void TiesGoToTheAnswerSeenFirst() => Assert.Equal(("5", 0), MajorityVote.Choose(["5", "7", "7", "5"], Lines));

    [Fact]
    public void MissingAnswersDoNotVote() => Assert.Equal((null, -1), MajorityVote.Choose([null, "", "  "], Lines));

    [Fact]
    public void WeightsCountInsteadOfVotes() => Assert.Equal(("7", 2), MajorityVote.Choose(["5", "5", "7"], Lines, [0.2, 0.3, 0.9]));

    [Fact]
    public void AnAttemptKeepsTheTextThatFirstGaveTheWinningAnswer()
    {
        var attempt = MajorityVote.Attempt("q1", ["1+1=3\nanswer: 3\n", "1+1=2\nanswer: 2\n", "garbage", "2\nanswer: 2\n"], Lines);
        Assert.Equal(new Attempt("q1", "2", "1+1=2\nanswer: 2\n"), attempt);
        Assert.Equal(new Attempt("q2", null, "no answer"), MajorityVote.Attempt("q2", ["no answer", "still none"], Lines));
        Assert.Equal(new Attempt("q3", null, ""), MajorityVote.Attempt("q3", [], Lines));
    }

    /// <summary>The doc-comment example: free text counts 1,234, 1234 and $1,234 as one answer (3 votes to 7's 2).</summary>
    [Fact]
    public void FreeTextGroupsAnswersTheTaskConsidersEqual()
    {
        Assert.Equal(("1,234", 0), MajorityVote.Choose(["1,234", "7", "1234", "7.0", "$1,234"], Gsm8k));
        Assert.Equal(("1,234", 1), MajorityVote.Choose(["7", "1,234", "1234"], Gsm8k));
        Assert.Equal(("0.75", 1), MajorityVote.Choose(["1/3", "0.75", "\\frac{3}{4}", "0.333"], Gsm8k)); // 3/4 twice; 0.333 is not 1/3
    }

    /// <summary>The line format compares answers as written: the same lists vote differently.</summary>
    [Fact]
    public void TheLineFormatKeepsWrittenFormsApart()
    {
        Assert.Equal(("1,234", 0), MajorityVote.Choose(["1,234", "7", "1234", "7.0", "$1,234"], Lines)); // five answers of one vote: the first
        Assert.Equal(("7", 0), MajorityVote.Choose(["7", "1,234", "1234"], Lines));
    }

    [Fact]
    public void AnswersWithAnEmptyKeyDoNotVote()
    {
        // "$" and "\%" normalise to nothing: no answer for free text, two answers for the line format.
        Assert.Equal((null, -1), MajorityVote.Choose(["$", "\\%", null], Gsm8k));
        Assert.Equal(("$", 0), MajorityVote.Choose(["$", "\\%", null], Lines));
        Assert.Null(MajorityVote.KeyOf("$", Gsm8k));
        Assert.Equal("1234", MajorityVote.KeyOf(" 1,234.00 ", Gsm8k));
        Assert.Equal("1,234.00", MajorityVote.KeyOf(" 1,234.00 ", Lines));
    }

    [Fact]
    public void WeightsAddUpOverEquivalentAnswers() =>
        // 12: 0.3 + 0.3 = 0.6 beats 13's 0.5 only because "12.0" and "12" are one answer.
        Assert.Equal(("12.0", 1), MajorityVote.Choose(["13", "12.0", "12"], Gsm8k, [0.5, 0.3, 0.3]));

    [Fact]
    public void AFreeTextAttemptParsesGsm8kAnswersAndKeepsTheFirstWinningText()
    {
        string[] completions =
        [
            "She has 1200 + 34 = 1234 stickers.\n#### 1234\n",
            "She has 1200 + 43 = 1243 stickers.\n#### 1243\n",
            "She has 1,234 stickers.\n#### 1,234\n",
            "answer: 1243\n", // not an answer in this format
        ];
        Assert.Equal(new Attempt("q", "1234", completions[0]), MajorityVote.Attempt("q", completions, new FreeTextFormat(AnswerFormat.Gsm8k, "\n")));
    }
}
