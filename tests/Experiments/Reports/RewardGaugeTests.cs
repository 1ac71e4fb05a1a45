using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class RewardGaugeTests
{
    [Fact]
    public void PearsonCorrelationMatchesTheWorkedExample()
    {
        Assert.Equal(0.4746, Statistics.PearsonCorrelation([0.9, 0.8, 0.3, 0.2], [1, 1, 0, 1])!.Value, 4);
        Assert.Null(Statistics.PearsonCorrelation([0.5, 0.5], [1, 0]));   // constant scores
        Assert.Null(Statistics.PearsonCorrelation([0.4], [1]));            // one pair
    }

    private static AttemptRecord Attempt(string id, double[]? scores, bool[]? correct) =>
        new(1, "beam", id, "1", "", correct?.FirstOrDefault() ?? false, 3, scores, correct);

    [Fact]
    public void TheGaugeCountsWrongFavouritesAndCorrelatesScoresWithCorrectness()
    {
        RewardGauge gauge = Summarizer.SummarizeRewardGauge(
        [
            Attempt("a", [0.9, 0.8], [true, false]),    // favourite right
            Attempt("b", [0.3, 0.2], [false, true]),    // favourite wrong
            Attempt("c", [0.6, 0.6], [false, true]),    // tie: the first is the favourite, wrong
            Attempt("d", null, null),                   // no candidates: not gauged
        ])!;

        Assert.Equal((3, 2, 6, 3), (gauge.Questions, gauge.PreferredWrong, gauge.Candidates, gauge.CorrectCandidates));
        Assert.Equal(0.5, gauge.CandidateAccuracy);
        // Pairs (right, wrong) within a question: a (0.9 > 0.8) ranked, b (0.2 < 0.3) not, c (0.6 = 0.6) half.
        Assert.Equal(1.5 / 3, gauge.WithinQuestionAuc);
        Assert.Equal(Statistics.PearsonCorrelation([0.9, 0.8, 0.3, 0.2, 0.6, 0.6], [1, 0, 0, 1, 0, 1]), gauge.Correlation);
        Assert.Null(Summarizer.SummarizeRewardGauge([Attempt("d", null, null)]));
    }

    [Fact]
    public void TheTableCarriesTheGaugeOfGaugedStrategiesOnly()
    {
        var records = new List<RunRecord>
        {
            new UnitStarted(1, "beam", "beam", 2),
            Attempt("a", [0.9, 0.8], [true, false]),
            Attempt("b", [0.3, 0.2], [false, true]),
            new UnitFinished(1, "beam", 2, 1),
            new UnitStarted(1, "greedy", "greedy", 2),
            new UnitFinished(1, "greedy", 2, 1),
        };

        string table = ComparisonTable.Markdown(Summarizer.Summarize(records));

        Assert.Contains("- beam: the reward model's favourite answer is wrong on 1 of 2 questions (50.0%); 50.0% of its 4 candidates are right; correlation of its scores with correctness r = ", table);
        Assert.DoesNotContain("- greedy: the reward model", table);
        Assert.Contains(",2,1,4,", ComparisonTable.Csv(Summarizer.Summarize(records)).Split('\n')[1]);
        Assert.EndsWith(",2,0.5,,,,", ComparisonTable.Csv(Summarizer.Summarize(records)).Split('\n')[1]);
        Assert.Contains("within a question it ranks a right answer above a wrong one with AUC 0.50.", table);
    }
}
