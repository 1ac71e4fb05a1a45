using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Records;

namespace Reasoning.Experiments.Reports;

/// <summary>One step of an attempt and, where the task has a step checker, its verdict.</summary>
/// <param name="Valid">Null when there is no step checker to ask.</param>
/// <param name="Solvable">Whether the problem can still be solved after it; null without a step checker.</param>
/// <param name="Reason">Why a step is invalid or a dead end; empty for a good step or without a checker.</param>
internal sealed record AttemptStep(string Text, bool? Valid, bool? Solvable, string Reason);

/// <summary>A candidate a reward model scored, and whether the runner verified its answer as right.</summary>
/// <param name="Answer">Null when it had none (or its answer was not recorded).</param>
/// <param name="AnswerRecorded">False for records written before candidates' answers were kept.</param>
internal sealed record AttemptCandidate(string? Answer, double Score, bool Correct, bool AnswerRecorded);

/// <summary>One answer to one test question, as the attempts view shows and exports it.</summary>
/// <param name="Question">The prompt; null when neither the records nor the spec give it.</param>
/// <param name="Reference">The reference answer; null likewise.</param>
/// <param name="Steps">The steps of the solution as the task's format reads them (the answer step apart).</param>
/// <param name="Candidates">For reward-guided strategies, every scored candidate; null otherwise.</param>
internal sealed record AttemptRow(
    long Seed, string Strategy, string QuestionId, string? Question, string? Reference, string? Answer, bool Correct, int Tokens, string Text,
    IReadOnlyList<AttemptStep> Steps, IReadOnlyList<AttemptCandidate>? Candidates);

/// <summary>Which attempts to show.</summary>
/// <param name="Correct">True: right answers only; false: wrong only; null: both.</param>
internal sealed record AttemptFilter(string? Strategy = null, long? Seed = null, bool? Correct = null, string? QuestionId = null)
{
    public bool Keeps(AttemptRecord a) =>
        (Strategy is null || a.Label == Strategy) && (Seed is null || a.Seed == Seed) && (Correct is null || a.Correct == Correct) && (QuestionId is null || a.QuestionId == QuestionId);
}

/// <summary>
/// The attempts behind a run's figures: the attempts of its finished units (those the tables count), in record order,
/// each with its question, reference answer, solution steps and their verdicts (when the task has a step checker) and
/// the candidates a reward model scored. Questions and references come from the records, or, for records written
/// before they were kept, from <paramref name="problems"/> (the run's problems drawn again from its spec); step
/// verdicts need the task.
/// </summary>
internal static class AttemptView
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <param name="records">The run's records.</param>
    /// <param name="filter">Which attempts.</param>
    /// <param name="task">The run's task, for step verdicts and the solution format; null: steps by lines, no verdicts.</param>
    /// <param name="problems">The test problems of a seed, by id, drawn again from the spec; null when unavailable.</param>
    public static IReadOnlyList<AttemptRow> Rows(IReadOnlyList<RunRecord> records, AttemptFilter filter, IReasoningTask? task, Func<long, IReadOnlyDictionary<string, Problem>?>? problems)
    {
        ISolutionFormat format = task?.SolutionFormat ?? LineSolutionFormat.Instance;
        var rows = new List<AttemptRow>();
        foreach (AttemptRecord a in FinishedAttempts(records).Where(filter.Keeps))
        {
            Problem? problem = problems?.Invoke(a.Seed)?.GetValueOrDefault(a.QuestionId);
            ParsedSolution parsed = format.ParseCompletion(a.Text);
            IReadOnlyList<StepVerdict>? verdicts = task is { HasStepChecker: true } && problem is not null && parsed.Steps.Count > 0 ? Check(task, problem, parsed.Steps) : null;
            var steps = parsed.Steps.Select((text, i) => verdicts is not null && i < verdicts.Count
                ? new AttemptStep(text, verdicts[i].IsValid, verdicts[i].CanStillSolve, verdicts[i].Reason)
                : new AttemptStep(text, null, null, "")).ToList();
            List<AttemptCandidate>? candidates = a.CandidateScores?.Select((score, i) => new AttemptCandidate(
                a.CandidateAnswers is { } answers && i < answers.Count ? answers[i] : null,
                score,
                a.CandidateCorrect is { } correct && i < correct.Count && correct[i],
                a.CandidateAnswers is not null)).ToList();
            rows.Add(new AttemptRow(
                a.Seed, a.Label, a.QuestionId, a.Prompt ?? problem?.Prompt, a.Reference ?? problem?.Answer, a.Answer, a.Correct, a.Tokens, a.Text, steps, candidates));
        }

        return rows;
    }

    /// <summary>Attempts of units whose last start finished (what the tables count), in the order of those starts.</summary>
    internal static IEnumerable<AttemptRecord> FinishedAttempts(IReadOnlyList<RunRecord> records) =>
        Summarizer.LastStarts(records).Where(u => u.Records is [.., UnitFinished]).SelectMany(u => u.Records.OfType<AttemptRecord>());

    /// <summary>The step checker's verdicts; a checker that throws on a plug-in task gives none rather than a lost view.</summary>
    private static IReadOnlyList<StepVerdict>? Check(IReasoningTask task, Problem problem, IReadOnlyList<string> steps)
    {
        try
        {
            return task.CheckSteps(problem, steps);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <summary>One JSON object per line.</summary>
    public static string Jsonl(IEnumerable<AttemptRow> rows)
    {
        var text = new StringBuilder();
        foreach (AttemptRow row in rows)
        {
            text.Append(JsonSerializer.Serialize(row, Json)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The CSV columns, one row per attempt (RFC 4180 quoting; steps and candidates summarised).</summary>
    public static readonly string[] CsvColumns =
        ["seed", "strategy", "question_id", "correct", "answer", "reference", "tokens", "steps", "first_bad_step", "candidates", "best_candidate_score", "best_candidate_correct", "question", "text"];

    public static string Csv(IEnumerable<AttemptRow> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', CsvColumns).Append('\n');
        foreach (AttemptRow row in rows)
        {
            int firstBad = row.Steps.Select((s, i) => (s, i)).FirstOrDefault(x => x.s.Valid == false || x.s.Solvable == false, (null!, -1)).Item2;
            AttemptCandidate? best = row.Candidates?.OrderByDescending(c => c.Score).FirstOrDefault();
            string[] cells =
            [
                row.Seed.ToString(CultureInfo.InvariantCulture), row.Strategy, row.QuestionId, row.Correct ? "true" : "false", row.Answer ?? "", row.Reference ?? "",
                row.Tokens.ToString(CultureInfo.InvariantCulture), row.Steps.Count.ToString(CultureInfo.InvariantCulture),
                row.Steps.Any(s => s.Valid is not null) ? (firstBad < 0 ? "" : (firstBad + 1).ToString(CultureInfo.InvariantCulture)) : "",
                row.Candidates?.Count.ToString(CultureInfo.InvariantCulture) ?? "",
                best?.Score.ToString("R", CultureInfo.InvariantCulture) ?? "", best is null ? "" : best.Correct ? "true" : "false",
                row.Question ?? "", row.Text,
            ];
            text.AppendJoin(',', cells.Select(Quote)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>A readable page: each attempt's question, solution with step verdicts, answer and candidates.</summary>
    public static string Text(IReadOnlyList<AttemptRow> rows)
    {
        var text = new StringBuilder();
        foreach (AttemptRow row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"seed {row.Seed} · {row.Strategy} · {row.QuestionId} · {(row.Correct ? "right" : "wrong")} · {row.Tokens} tokens\n");
            text.Append("question: ").Append(row.Question ?? "(not recorded)").Append('\n');
            text.Append("solution:\n");
            for (int i = 0; i < row.Steps.Count; i++)
            {
                AttemptStep step = row.Steps[i];
                string verdict = step.Valid is null ? ""
                    : step.Valid == false ? $"   ✗ invalid{(step.Reason.Length > 0 ? ": " + step.Reason : "")}"
                    : step.Solvable == false ? $"   ✗ dead end{(step.Reason.Length > 0 ? ": " + step.Reason : "")}"
                    : "   ✓";
                text.Append(CultureInfo.InvariantCulture, $"  {i + 1}. {OneLine(step.Text)}{verdict}\n");
            }

            text.Append(CultureInfo.InvariantCulture, $"answer: {row.Answer ?? "(none)"}; reference: {row.Reference ?? "(not recorded)"}\n");
            if (row.Candidates is { Count: > 0 } candidates)
            {
                text.Append("candidates the reward model scored (best first):\n");
                foreach (AttemptCandidate c in candidates.OrderByDescending(c => c.Score))
                {
                    string answer = !c.AnswerRecorded ? "(answer not recorded)" : c.Answer is null ? "(no answer)" : "answer " + c.Answer;
                    text.Append(CultureInfo.InvariantCulture, $"  {c.Score:F3} {(c.Correct ? "right" : "wrong")} {answer}\n");
                }
            }

            text.Append('\n');
        }

        int right = rows.Count(r => r.Correct);
        text.Append(CultureInfo.InvariantCulture, $"{rows.Count} attempt(s), {right} right, {rows.Count - right} wrong\n");
        return text.ToString();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ⏎ ");

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
