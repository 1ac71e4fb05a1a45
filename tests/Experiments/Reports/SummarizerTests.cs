using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class SummarizerTests
{
    [Fact]
    public void SmallRunIsSummarizedAsWorkedOutByHand()
    {
        RunSummary summary = Summarizer.Summarize(SampleRecords.SmallRun());

        Assert.Equal(["search", "grpo", "broken"], summary.Strategies.Select(s => s.Label));

        StrategySummary search = summary.Strategies[0];
        Assert.Equal("prm-mcts", search.Strategy);
        Assert.Equal([1L, 2L], search.Seeds.Select(s => s.Seed));
        AccuracySummary accuracy = search.Accuracy!;
        Assert.Equal((85L, 100L), (accuracy.Correct, accuracy.Total));
        Assert.Equal(0.85, accuracy.Pooled, 12);
        Assert.Equal(0.7672, accuracy.WilsonLow, 4);
        Assert.Equal(0.9069, accuracy.WilsonHigh, 4);
        Assert.Equal(0.85, accuracy.MeanOverSeeds, 12);
        Assert.Equal(0.0707107, accuracy.StandardDeviationOverSeeds!.Value, 6);

        PhaseSummary train = search.Train!;
        Assert.Equal(2, train.Seeds);
        Assert.Equal(11_000, train.GeneratedTokens);
        Assert.Equal(220_000, train.ProcessedTokens);
        Assert.Equal(110_000, train.TrainedTokens);
        Assert.Equal(2e12, train.Flops);
        Assert.Equal(40, train.WallSeconds);
        Assert.Equal(2048 * SampleRecords.MiB, train.PeakResidentBytes); // max, not mean
        Assert.Equal(800 * SampleRecords.MiB, train.EstimatedPeakBytes);
        Assert.Null(train.PeakDeviceBytes);
        Assert.Null(train.PerQuestion);

        PerQuestionFigures perQuestion = search.Inference!.PerQuestion!;
        Assert.Equal(1100, perQuestion.GeneratedTokens, 9);
        Assert.Equal(2200, perQuestion.ProcessedTokens, 9);
        Assert.Equal(1.2e10, perQuestion.Flops, 0);
        Assert.Equal(0.11, perQuestion.WallSeconds, 12);
        Assert.Equal(1536 * SampleRecords.MiB, search.Inference.PeakResidentBytes);

        StrategySummary grpo = summary.Strategies[1];
        Assert.Null(grpo.Accuracy!.StandardDeviationOverSeeds);
        Assert.Equal(0.72, grpo.Accuracy.Pooled, 12);

        StrategySummary broken = summary.Strategies[2];
        Assert.Empty(broken.Seeds);
        Assert.Null(broken.Accuracy);
        Assert.Null(broken.Train);
        Assert.Equal([new FailedUnit(1, "broken", "train", "InvalidOperationException: the plug-in threw")], summary.Failures);

        BasePolicySummary basePolicy = summary.BasePolicy!;
        Assert.Equal([1L], basePolicy.Seeds);
        Assert.Equal(1, basePolicy.Sft!.ReusedSeeds);
        Assert.Equal(6e12, basePolicy.Sft.Flops);

        EnvironmentSummary environment = summary.Environment!;
        Assert.Equal(("demo", "0123456789ab", 1), (environment.Experiment, environment.SpecHash, environment.Invocations));
        Assert.Equal(SampleRecords.Environment, environment.Machine);

        Assert.Equal([("base-policy", "sft/loss", 1L), ("grpo", "grpo/reward", 1L)], summary.Curves.Select(c => (c.Label, c.Curve, c.Seed)));
        Assert.Equal([new CurveValue(0, 0.25), new CurveValue(10, 0.5), new CurveValue(20, 0.75)], summary.Curves[1].Points);
    }

    [Fact]
    public void EveryStrategyIsPairedWithTheFirstOnTheQuestionsBothAnswered()
    {
        // Seed 1: greedy TTFFT, grpo TFTTT (grpo alone right on q3, q4; greedy alone on q2).
        // Seed 2: greedy FFFTT, grpo TTFTT (grpo alone right on q1, q2). In all 10 questions, 4 against 1:
        // a gain of 3/10 and McNemar's p = 2 · P(X ≤ 1 | n = 5) = 2 · 6/32 = 0.375. "late" finished seed 1 only.
        var records = new List<RunRecord>();
        void Unit(long seed, string label, string outcomes)
        {
            records.Add(new UnitStarted(seed, label, label, outcomes.Length));
            for (int q = 0; q < outcomes.Length; q++)
            {
                records.Add(new AttemptRecord(seed, label, $"q{q + 1}", "1", "answer: 1", outcomes[q] == 'T', 2));
            }

            records.Add(new UnitFinished(seed, label, outcomes.Length, outcomes.Count(c => c == 'T')));
        }

        Unit(1, "greedy", "TTFFT");
        Unit(1, "grpo", "TFTTT");
        Unit(1, "late", "FFFFF");
        Unit(2, "greedy", "FFFTT");
        Unit(2, "grpo", "TTFTT");

        RunSummary summary = Summarizer.Summarize(records);
        Assert.Null(summary.Strategies[0].VersusReference);
        PairedComparison grpo = summary.Strategies[1].VersusReference!;
        Assert.Equal(("greedy", 10, 4, 1), (grpo.Reference, grpo.Questions, grpo.OnlyThisRight, grpo.OnlyReferenceRight));
        Assert.Equal(0.3, grpo.Gain, 12);
        Assert.Equal(0.375, grpo.PValue, 12);
        Assert.False(grpo.Significant);

        PairedComparison late = summary.Strategies[2].VersusReference!;
        Assert.Equal((5, 0, 3), (late.Questions, late.OnlyThisRight, late.OnlyReferenceRight)); // seed 1 only
        Assert.Equal(0.25, late.PValue, 12); // 2 · (1/2)^3

        string table = ComparisonTable.Markdown(summary);
        Assert.Contains("Paired against greedy on the same questions", table);
        Assert.Contains("- grpo: +30.0 points over 10 questions; right where greedy was wrong on 4, wrong where it was right on 1; p = 0.375 (not significant).", table);
        Assert.Contains("- late: −60.0 points over 5 questions;", table);
        string csv = ComparisonTable.Csv(summary);
        Assert.Contains("paired_reference,paired_questions,paired_only_this_right,paired_only_reference_right,paired_gain,mcnemar_p", csv);
        Assert.Contains("greedy,10,4,1,0.3,0.375", csv);
    }

    [Theory]
    [InlineData(1.0, "1.000")]
    [InlineData(0.0214843, "0.021")]
    [InlineData(0.001, "0.001")]
    [InlineData(5.4475e-05, "5.4e-5")]
    [InlineData(0.0, "< 1e-300")]
    public void PValuesReadPlainly(double p, string text) => Assert.Equal(text, Formats.PValue(p));

    [Fact]
    public void ARestartedUnitSupersedesItsUnfinishedEarlierRecords()
    {
        RunRecord[] records =
        [
            SampleRecords.Started,
            new UnitStarted(3, "search", "prm-mcts", 10),
            new PhaseRecord(3, "search", "train", 999, 999, 999, 999, 999, 999, null, 999, false),
            new CurvePoint(3, "search", "prm/loss", 0, 99),
            SampleRecords.Started,
            new UnitStarted(3, "search", "prm-mcts", 10),
            new PhaseRecord(3, "search", "train", 5, 6, 7, 8, 9, 10, null, 11, false),
            new CurvePoint(3, "search", "prm/loss", 0, 1),
            new UnitFinished(3, "search", 10, 7),
        ];

        RunSummary summary = Summarizer.Summarize(records);
        StrategySummary search = Assert.Single(summary.Strategies);
        Assert.Equal(7, search.Accuracy!.Correct);
        Assert.Equal(5, search.Train!.GeneratedTokens);
        Assert.Equal(1, search.Train.Seeds);
        Assert.Equal([new CurveValue(0, 1)], Assert.Single(summary.Curves).Points);
        Assert.Equal(2, summary.Environment!.Invocations);
    }

    [Fact]
    public void AFailedUnitIsListedAndARetryThatFinishesReplacesIt()
    {
        RunRecord failed = new UnitFailed(1, "grpo", "inference", "OutOfMemoryException: too big");
        RunRecord[] onlyFailed = [new UnitStarted(1, "grpo", "grpo", 10), failed];

        RunSummary first = Summarizer.Summarize(onlyFailed);
        Assert.Equal([new FailedUnit(1, "grpo", "inference", "OutOfMemoryException: too big")], first.Failures);
        Assert.Empty(Assert.Single(first.Strategies).Seeds);

        RunSummary retried = Summarizer.Summarize([.. onlyFailed, new UnitStarted(1, "grpo", "grpo", 10), new UnitFinished(1, "grpo", 10, 4)]);
        Assert.Empty(retried.Failures);
        Assert.Equal(4, Assert.Single(retried.Strategies).Accuracy!.Correct);
    }

    [Fact]
    public void AnUnfinishedUnitIsIgnored()
    {
        RunRecord[] records =
        [
            new UnitStarted(1, "search", "prm-mcts", 10),
            new UnitFinished(1, "search", 10, 5),
            new UnitStarted(2, "search", "prm-mcts", 10),
            new AttemptRecord(2, "search", "q", "1", "answer: 1", true, 2),
            new PhaseRecord(2, "search", "train", 1, 1, 1, 1, 1, 1, null, 1, false),
        ];

        RunSummary summary = Summarizer.Summarize(records);
        StrategySummary search = Assert.Single(summary.Strategies);
        Assert.Equal([1L], search.Seeds.Select(s => s.Seed));
        Assert.Null(search.Train);
        Assert.Empty(summary.Failures);
        Assert.Null(summary.Environment);
        Assert.Null(summary.BasePolicy);
    }

    [Fact]
    public void SeedsAreSortedAndStrategiesKeepTheOrderOfTheirFirstStart()
    {
        RunRecord[] records =
        [
            new UnitStarted(9, "b", "b", 1),
            new UnitStarted(5, RunRecord.BasePolicyLabel, RunRecord.BasePolicyLabel, 0),
            new UnitStarted(2, "a", "a", 1),
            new UnitFinished(2, "a", 1, 1),
            new UnitFinished(9, "b", 1, 0),
            new UnitStarted(1, "b", "b", 1),
            new UnitFinished(1, "b", 1, 1),
        ];

        RunSummary summary = Summarizer.Summarize(records);
        Assert.Equal(["b", "a"], summary.Strategies.Select(s => s.Label));
        Assert.Equal([1L, 9L], summary.Strategies[0].Seeds.Select(s => s.Seed));
        Assert.Null(summary.BasePolicy); // started, never finished
    }
}
