using Reasoning.Core.Voting;

namespace Reasoning.Tests.Core;

public sealed class MajorityVoteTests
{
    [Fact]
    public void TheMostFrequentAnswerWins() => Assert.Equal(("7", 1), MajorityVote.Choose(["5", "7", " 7 ", null, "5", "7"]));

    [Fact]
    public void TiesGoToTheAnswerSeenFirst() => Assert.Equal(("5", 0), MajorityVote.Choose(["5", "7", "7", "5"]));

    [Fact]
    public void MissingAnswersDoNotVote() => Assert.Equal((null, -1), MajorityVote.Choose([null, "", "  "]));

    [Fact]
    public void WeightsCountInsteadOfVotes() => Assert.Equal(("7", 2), MajorityVote.Choose(["5", "5", "7"], [0.2, 0.3, 0.9]));

    [Fact]
    public void AnAttemptKeepsTheTextThatFirstGaveTheWinningAnswer()
    {
        var attempt = MajorityVote.Attempt("q1", ["1+1=3\nanswer: 3\n", "1+1=2\nanswer: 2\n", "garbage", "2\nanswer: 2\n"]);
        Assert.Equal(new Reasoning.Core.Strategies.Attempt("q1", "2", "1+1=2\nanswer: 2\n"), attempt);
        Assert.Equal(new Reasoning.Core.Strategies.Attempt("q2", null, "no answer"), MajorityVote.Attempt("q2", ["no answer", "still none"]));
        Assert.Equal(new Reasoning.Core.Strategies.Attempt("q3", null, ""), MajorityVote.Attempt("q3", []));
    }
}
