using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Search.Mcts.BestOfN;

namespace Reasoning.Tests.Search;

public sealed class BestOfNSelectionTests
{
    private static readonly ISolutionFormat Lines = LineSolutionFormat.Instance;
    private static readonly ISolutionFormat Boxed = new FreeTextFormat(AnswerFormat.Boxed);

    /// <summary>Candidates written "answer:score", null answer as "_", e.g. "5:0.9 _:1.0".</summary>
    private static List<ScoredCandidate> Parse(string candidates) =>
        candidates.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.Split(':'))
            .Select(p => new ScoredCandidate(p[0] == "_" ? null : p[0], double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

    [Theory]
    // The doc-comment example: 5 has 0.9 + 0.2 = 1.1, 7 has 0.3 + 0.4 = 0.7; votes tie 2–2, 5 came first.
    [InlineData("5:0.9 7:0.3 7:0.4 _:1.0 5:0.2", BestOfNMode.MaxScore, 3)]
    [InlineData("5:0.9 7:0.3 7:0.4 _:1.0 5:0.2", BestOfNMode.Majority, 0)]
    [InlineData("5:0.9 7:0.3 7:0.4 _:1.0 5:0.2", BestOfNMode.WeightedMajority, 0)]
    // Three weak votes for 7 (0.2 + 0.2 + 0.3 = 0.7) lose to one strong 5 (0.95) when weighted, win when counted.
    [InlineData("5:0.95 7:0.2 7:0.2 7:0.3", BestOfNMode.MaxScore, 0)]
    [InlineData("5:0.95 7:0.2 7:0.2 7:0.3", BestOfNMode.Majority, 1)]
    [InlineData("5:0.95 7:0.2 7:0.2 7:0.3", BestOfNMode.WeightedMajority, 0)]
    // 7 wins weighted (0.35 + 0.4 = 0.75 > 0.6); the best-scoring 7 is index 2.
    [InlineData("5:0.6 7:0.35 7:0.4", BestOfNMode.WeightedMajority, 2)]
    [InlineData("5:0.6 7:0.35 7:0.4", BestOfNMode.Majority, 1)]
    // Score ties go to the earlier candidate.
    [InlineData("5:0.9 7:0.9", BestOfNMode.MaxScore, 0)]
    [InlineData("5:0.5 7:0.5", BestOfNMode.WeightedMajority, 0)]
    // Missing answers do not vote.
    [InlineData("_:1.0 _:1.0 3:0.1", BestOfNMode.Majority, 2)]
    [InlineData("_:1.0 _:1.0 3:0.1", BestOfNMode.WeightedMajority, 2)]
    [InlineData("_:1.0 _:1.0 3:0.1", BestOfNMode.MaxScore, 0)]
    [InlineData("_:1.0 _:0.5", BestOfNMode.Majority, -1)]
    [InlineData("_:1.0 _:0.5", BestOfNMode.WeightedMajority, -1)]
    [InlineData("", BestOfNMode.MaxScore, -1)]
    [InlineData("", BestOfNMode.Majority, -1)]
    [InlineData("", BestOfNMode.WeightedMajority, -1)]
    // NaN ranks below every number and adds nothing.
    [InlineData("1:NaN 2:0.1", BestOfNMode.MaxScore, 1)]
    [InlineData("1:NaN 1:NaN 2:0.1", BestOfNMode.WeightedMajority, 2)]
    public void ChoosesTheHandWorkedCandidate(string candidates, BestOfNMode mode, int expected) =>
        Assert.Equal(expected, BestOfNSelection.Choose(Parse(candidates), mode, Lines));

    [Fact]
    public void AnswersAreComparedAfterTrimming()
    {
        List<ScoredCandidate> candidates = [new("5", 0.1), new(" 7", 0.2), new("7 ", 0.3)];
        Assert.Equal(1, BestOfNSelection.Choose(candidates, BestOfNMode.Majority, Lines));
        Assert.Equal(2, BestOfNSelection.Choose(candidates, BestOfNMode.WeightedMajority, Lines));
    }

    /// <summary>
    /// Free text: \frac{1}{2} (0.2), 0.5 (0.3) and 1/2 (0.25) are one answer, 0.75 (0.6) another. Counted, 1/2 wins
    /// three votes to one (its first candidate, 0); weighted, the half's 0.2 + 0.3 + 0.25 = 0.75 beats 0.6 and its
    /// best-scoring candidate is 0.5 (1).
    /// The line format sees four answers: majority takes the first, weighted majority the 0.6.
    /// </summary>
    [Theory]
    [InlineData(BestOfNMode.Majority, 0, 0)]
    [InlineData(BestOfNMode.WeightedMajority, 1, 3)]
    [InlineData(BestOfNMode.MaxScore, 3, 3)]
    public void FreeTextVotesGroupEquivalentAnswers(BestOfNMode mode, int freeText, int lines)
    {
        List<ScoredCandidate> candidates = [new("\\frac{1}{2}", 0.2), new("0.5", 0.3), new("1/2", 0.25), new("0.75", 0.6)];
        Assert.Equal(freeText, BestOfNSelection.Choose(candidates, mode, Boxed));
        Assert.Equal(lines, BestOfNSelection.Choose(candidates, mode, Lines));
    }
}
