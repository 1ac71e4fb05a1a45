using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Cli;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Experiments.Reports;

public sealed class AttemptViewTests
{
    private static readonly IReasoningTask Arithmetic = TaskRegistry.CreateDefault().Get("arithmetic");

    // 2*10-(15-2) = 7. The attempt gets 15-2 wrong (16), so its second step is invalid and the third follows it.
    private static readonly Problem Question = Problem.Create("arithmetic", 3, "2*10-(15-2)", "7", ["2*10=20", "15-2=13", "20-13=7"]);
    private const string Wrong = "2*10=20\n15-2=16\n20-16=4\nanswer: 4\n";

    private static IReadOnlyList<RunRecord> Records(bool withPrompt) =>
    [
        SampleRecords.Started,
        new UnitStarted(1, "greedy", "greedy", 1),
        new AttemptRecord(1, "greedy", "superseded", "1", "answer: 1\n", false, 3), // a killed start: not counted
        new UnitStarted(1, "greedy", "greedy", 1),
        new AttemptRecord(1, "greedy", Question.Id, "4", Wrong, false, 20, Prompt: withPrompt ? Question.Prompt : null, Reference: withPrompt ? "7" : null),
        new UnitFinished(1, "greedy", 1, 0),
        new UnitStarted(1, "bon", "best-of-n", 1),
        new AttemptRecord(1, "bon", Question.Id, "7", "2*10=20\n15-2=13\n20-13=7\nanswer: 7\n", true, 20,
            CandidateScores: [0.25, 0.75], CandidateCorrect: [false, true], CandidateAnswers: ["4", "7"], Prompt: Question.Prompt, Reference: "7"),
        new UnitFinished(1, "bon", 1, 1),
        new UnitStarted(2, "greedy", "greedy", 1),
        new AttemptRecord(2, "greedy", "q-failed", "1", "answer: 1\n", false, 3),
        new UnitFailed(2, "greedy", "inference", "boom"), // a failed unit: not counted
    ];

    private static IReadOnlyDictionary<string, Problem>? Problems(long seed) => seed == 1 ? new Dictionary<string, Problem> { [Question.Id] = Question } : null;

    [Fact]
    public void AWrongAttemptShowsItsStepsWithTheCheckersVerdicts()
    {
        IReadOnlyList<AttemptRow> rows = AttemptView.Rows(Records(withPrompt: false), new AttemptFilter(Strategy: "greedy"), Arithmetic, Problems);
        AttemptRow row = Assert.Single(rows);
        Assert.Equal(("2*10-(15-2)", "7", "4", false), (row.Question, row.Reference, row.Answer, row.Correct)); // drawn again: the records lack them
        Assert.Equal(
            [
                new AttemptStep("2*10=20", true, true, ""),
                new AttemptStep("15-2=16", false, false, "15-2 is 13, not 16"),
                new AttemptStep("20-16=4", false, false, "follows invalid step 2"),
            ],
            row.Steps);
        Assert.Equal(
            "seed 1 · greedy · " + Question.Id + " · wrong · 20 tokens\n" +
            "question: 2*10-(15-2)\n" +
            "solution:\n" +
            "  1. 2*10=20   ✓\n" +
            "  2. 15-2=16   ✗ invalid: 15-2 is 13, not 16\n" +
            "  3. 20-16=4   ✗ invalid: follows invalid step 2\n" +
            "answer: 4; reference: 7\n\n" +
            "1 attempt(s), 0 right, 1 wrong\n",
            AttemptView.Text(rows));
    }

    [Fact]
    public void ScoredCandidatesComeWithTheirAnswersScoresAndVerdictsAndExportAsCsvAndJsonl()
    {
        IReadOnlyList<AttemptRow> rows = AttemptView.Rows(Records(withPrompt: true), new AttemptFilter(Correct: true), Arithmetic, problems: null);
        AttemptRow row = Assert.Single(rows);
        Assert.Equal([new AttemptCandidate("4", 0.25, false, true), new AttemptCandidate("7", 0.75, true, true)], row.Candidates);
        Assert.Equal(
            "seed,strategy,question_id,correct,answer,reference,tokens,steps,first_bad_step,candidates,best_candidate_score,best_candidate_correct,question,text\n" +
            $"1,bon,{Question.Id},true,7,7,20,3,,2,0.75,true,2*10-(15-2),\"2*10=20\n15-2=13\n20-13=7\nanswer: 7\n\"\n",
            AttemptView.Csv(rows));
        string json = AttemptView.Jsonl(rows);
        Assert.Single(json.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"candidates\":[{\"answer\":\"4\",\"score\":0.25,\"correct\":false,\"answerRecorded\":true},{\"answer\":\"7\",\"score\":0.75,\"correct\":true,\"answerRecorded\":true}]", json);
        // No problem to check against (the spec was not given): the steps without verdicts.
        Assert.Contains("\"steps\":[{\"text\":\"2*10=20\",\"valid\":null,\"solvable\":null,\"reason\":\"\"},", json);
    }

    [Fact]
    public void OnlyTheAttemptsOfFinishedUnitsCountAndFiltersSelect()
    {
        IReadOnlyList<RunRecord> records = Records(withPrompt: true);
        Assert.Equal([("greedy", 1L), ("bon", 1L)], AttemptView.Rows(records, new AttemptFilter(), Arithmetic, Problems).Select(r => (r.Strategy, r.Seed)));
        Assert.Empty(AttemptView.Rows(records, new AttemptFilter(Seed: 2), Arithmetic, Problems));
        Assert.Equal(["greedy"], AttemptView.Rows(records, new AttemptFilter(Correct: false), Arithmetic, Problems).Select(r => r.Strategy));
        Assert.Equal(["bon"], AttemptView.Rows(records, new AttemptFilter(Strategy: "bon", QuestionId: Question.Id), Arithmetic, Problems).Select(r => r.Strategy));
    }

    [Fact]
    public void ThePublishedRunsAttemptsAreShownWithQuestionsDrawnAgainFromItsSpec()
    {
        string run = Path.Combine(TestRepository.Root, "docs", "results", "prm-search");
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(0, AttemptsCommand.Execute(run, new AttemptsCommand.Request("mcts", 1, null, false, true, "jsonl", null), output, errors));
        Assert.Equal("", errors.ToString());
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The table's mcts row: seed 1 answered 200 questions; the records hold its wrong ones.
        IReadOnlyList<RunRecord> records = RecordLog.Read(Path.Combine(run, "records.msgpack")).Records;
        Assert.Equal(records.OfType<AttemptRecord>().Count(a => a.Label == "mcts" && a.Seed == 1 && !a.Correct), lines.Length);
        Assert.All(lines, line => Assert.Contains("\"question\":\"", line));
        Assert.All(lines, line => Assert.Contains("\"valid\":", line));
    }

    [Theory]
    [InlineData("yaml", false, false, "error: --format: 'yaml' is not a format; allowed: text, jsonl, csv")]
    [InlineData("text", true, true, "error: --right and --wrong together select nothing; give one or neither")]
    public void BadRequestsAreExitCode2WithTheirReason(string format, bool right, bool wrong, string message)
    {
        var errors = new StringWriter();
        string run = Path.Combine(TestRepository.Root, "docs", "results", "quickstart");
        Assert.Equal(2, AttemptsCommand.Execute(run, new AttemptsCommand.Request(null, null, null, right, wrong, format, null), new StringWriter(), errors));
        Assert.Equal(message + "\n", errors.ToString().ReplaceLineEndings("\n"));
    }
}
