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
}
