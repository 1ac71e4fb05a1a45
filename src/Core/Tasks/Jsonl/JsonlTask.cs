using System.Text;
using System.Text.RegularExpressions;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;

namespace Reasoning.Core.Tasks.Jsonl;

/// <summary>
/// Problems from a local JSONL dataset (GSM8K, MATH and the like, as Hugging Face <c>datasets</c> exports them), read
/// once, when the spec is read; nothing is fetched. See <c>docs/datasets.md</c> for the spec keys and examples.
/// <list type="bullet">
/// <item>Name: <c>jsonl:&lt;file name&gt;</c>. Difficulty: always 0 (a dataset has none; the spec needs no <c>difficulty</c>).</item>
/// <item>Prompt: the question field, trimmed, line ends made <c>\n</c>; it may span several lines.</item>
/// <item>Answer: the answer extracted from the answer field (<see cref="AnswerExtraction"/>), in canonical form
/// (<see cref="AnswerEquivalence.Canonical"/>: <c>1,234</c> → <c>1234</c>).</item>
/// <item>Reference steps: for <see cref="AnswerFormat.Gsm8k"/>, the lines of the solution (the answer field's text before
/// <c>####</c> unless a solution field is named), without GSM8K's calculator annotations (<c>&lt;&lt;48/2=24&gt;&gt;</c>);
/// otherwise its paragraphs (split at blank lines), or its lines when it has no blank line. From the first step that
/// states an answer (a MATH solution's <c>\boxed{}</c>) on, the steps are joined into one last step.</item>
/// <item>Solution format: <see cref="FreeTextFormat"/> with the answer format, separating steps by a newline (GSM8K)
/// or a blank line (the others).</item>
/// <item>Verification: <see cref="AnswerEquivalence.AreEquivalent"/> against the reference answer. No step checker:
/// <see cref="CheckSteps"/> throws, and steps are labelled by Monte-Carlo rollouts.</item>
/// <item>Splits (<see cref="Split"/>): one file is shuffled by seed, the test split drawn first (so it does not depend
/// on the train size) and the train split from the rest; with a test file, the test split is drawn from it and the
/// train split from the train file's problems whose question is not in the test file. A question that repeats within a
/// file counts once (its first line).</item>
/// </list>
/// </summary>
public sealed partial class JsonlTask : IReasoningTask, IProblemSource
{
    /// <summary>The spec's <c>task.kind</c>.</summary>
    public const string Kind = "jsonl";

    private JsonlTask(JsonlTaskSettings settings, IReadOnlyList<Problem> problems, IReadOnlyList<Problem> testProblems, string sha256, string? testSha256)
    {
        Settings = settings;
        Problems = problems;
        TestProblems = testProblems;
        Sha256 = sha256;
        TestSha256 = testSha256;
        Name = $"{Kind}:{System.IO.Path.GetFileName(settings.Path)}";
        SolutionFormat = FormatFor(settings.AnswerFormat, settings.Steps);
        var characters = new HashSet<char>(SolutionText.Alphabet);
        foreach (Problem problem in problems.Concat(testProblems))
        {
            // The answer and its answer step are written out whether or not the reference solution ends with its own
            // (a MATH solution's \boxed{}); the line format's rendering (SolutionText) writes the canonical answer too.
            characters.UnionWith(problem.Prompt);
            characters.UnionWith(SolutionFormat.RenderCompletion(problem.ReferenceSteps, problem.Answer));
            characters.UnionWith(SolutionFormat.AnswerStep(problem.Answer));
        }

        characters.Remove('\r');
        Alphabet = new string(characters.Order().ToArray());
    }

    /// <summary>Reads the dataset.</summary>
    /// <exception cref="DatasetException">A file cannot be read, is empty, or has a malformed line, a missing, non-text or
    /// empty field, or an answer field without an answer; every error names the file, the line and the field.</exception>
    public static JsonlTask Load(JsonlTaskSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<DatasetError>();
        List<Problem>? problems = ReadProblems(settings, settings.Path, errors, out string sha256);
        List<Problem>? test = [];
        string? testSha256 = null;
        if (settings.TestPath is { } testPath)
        {
            test = ReadProblems(settings, testPath, errors, out string sha);
            testSha256 = sha;
        }

        if (errors.Count > 0 || problems is null || test is null)
        {
            throw new DatasetException(errors);
        }

        return new JsonlTask(settings, problems, test, sha256, testSha256);
    }

    /// <summary>How the dataset was read.</summary>
    public JsonlTaskSettings Settings { get; }

    /// <summary>The distinct problems of <see cref="JsonlTaskSettings.Path"/>, in file order.</summary>
    public IReadOnlyList<Problem> Problems { get; }

    /// <summary>The distinct problems of <see cref="JsonlTaskSettings.TestPath"/>, in file order; empty without a test file.</summary>
    public IReadOnlyList<Problem> TestProblems { get; }

    /// <summary>The first 16 hex digits of SHA-256 over the file's bytes: which version of the data ran.</summary>
    public string Sha256 { get; }

    /// <summary>As <see cref="Sha256"/>, for the test file; null without one.</summary>
    public string? TestSha256 { get; }

    public string Name { get; }

    public string Description =>
        $"problems from {System.IO.Path.GetFileName(Settings.Path)}{(Settings.TestPath is { } t ? $" (test: {System.IO.Path.GetFileName(t)})" : "")}: " +
        $"question '{Settings.QuestionField}', answer '{Settings.AnswerField}' ({Settings.AnswerFormat.ToString().ToLowerInvariant()})";

    public int MinDifficulty => 0;

    public int MaxDifficulty => 0;

    /// <summary>
    /// Every character of the dataset's questions, its rendered reference solutions and answer steps, and of the line
    /// format (<see cref="SolutionText.Alphabet"/>): a character-level tokenizer for either format encodes every reference.
    /// </summary>
    public string Alphabet { get; }

    public bool HasStepChecker => false;

    public ISolutionFormat SolutionFormat { get; }

    /// <summary>
    /// The format of a dataset's solutions: steps as <paramref name="steps"/> says, else GSM8K's lines or paragraphs; the
    /// answer marked as the dataset marks it.
    /// </summary>
    public static FreeTextFormat FormatFor(AnswerFormat answers, StepUnit? steps = null) =>
        new(answers, (steps ?? DefaultSteps(answers)) == StepUnit.Lines ? "\n" : FreeTextFormat.ParagraphSeparator);

    /// <summary>GSM8K's solutions are a step per line; the others' paragraphs.</summary>
    private static StepUnit DefaultSteps(AnswerFormat answers) => answers == AnswerFormat.Gsm8k ? StepUnit.Lines : StepUnit.Paragraphs;

    /// <summary>A dataset does not generate problems: <see cref="ProblemSplit.Create"/> asks <see cref="Split"/>.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public Problem Generate(int difficulty, DeterministicRandom random) =>
        throw new NotSupportedException($"task '{Name}' is a dataset: it does not generate problems; ProblemSplit.Create takes them from its files");

    public bool VerifyAnswer(Problem problem, string? answer) => AnswerEquivalence.AreEquivalent(problem.Answer, answer);

    /// <exception cref="NotSupportedException">Always: a dataset has no step checker.</exception>
    public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps) => throw ReasoningTaskExtensions.NoStepChecker(this);

    /// <summary>What is wrong with asking for these split sizes, or null when the dataset holds enough problems.</summary>
    /// <returns>Whether the test split is the one short (else the train split), and a message naming the file (by its name) and the counts.</returns>
    public (bool Test, string Message)? SizeProblem(int trainSize, int testSize)
    {
        string file = System.IO.Path.GetFileName(Settings.Path);
        if (Settings.TestPath is not { } testPath)
        {
            return trainSize + testSize <= Problems.Count
                ? null
                : (testSize > Problems.Count, $"{file} holds {Problems.Count} distinct problems, fewer than the {trainSize + testSize} asked for ({trainSize} train + {testSize} test)");
        }

        string testFile = System.IO.Path.GetFileName(testPath);
        if (testSize > TestProblems.Count)
        {
            return (true, $"{testFile} holds {TestProblems.Count} distinct problems, fewer than the {testSize} test problems asked for");
        }

        int available = TrainPool().Count;
        return trainSize <= available
            ? null
            : (false, $"{file} holds {available} distinct problems whose question is not in {testFile}, fewer than the {trainSize} train problems asked for");
    }

    public ProblemSplit Split(int trainSize, int testSize, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainSize);
        ArgumentOutOfRangeException.ThrowIfNegative(testSize);
        if (SizeProblem(trainSize, testSize) is { } problem)
        {
            throw new InvalidOperationException($"task '{Name}': {problem.Message}");
        }

        if (Settings.TestPath is null)
        {
            var order = Enumerable.Range(0, Problems.Count).ToList();
            DeterministicRandom.ForPurpose(seed, $"{Name}/test").Shuffle(order);
            var test = order.Take(testSize).Select(i => Problems[i]).ToList();
            var rest = order.Skip(testSize).Order().Select(i => Problems[i]).ToList();
            return new ProblemSplit(Draw(rest, trainSize, seed, "train"), test);
        }

        return new ProblemSplit(Draw(TrainPool(), trainSize, seed, "train"), Draw(TestProblems, testSize, seed, "test"));
    }

    /// <summary>The first <paramref name="count"/> of <paramref name="pool"/> shuffled by the split's own random stream.</summary>
    private List<Problem> Draw(IReadOnlyList<Problem> pool, int count, long seed, string split)
    {
        var shuffled = pool.ToList();
        DeterministicRandom.ForPurpose(seed, $"{Name}/{split}").Shuffle(shuffled);
        return shuffled.Take(count).ToList();
    }

    /// <summary>The train file's problems whose question is not in the test file.</summary>
    private List<Problem> TrainPool()
    {
        var test = TestProblems.Select(p => p.Prompt).ToHashSet(StringComparer.Ordinal);
        return Problems.Where(p => !test.Contains(p.Prompt)).ToList();
    }

    private static List<Problem>? ReadProblems(JsonlTaskSettings settings, string path, List<DatasetError> errors, out string sha256)
    {
        sha256 = "";
        var fields = new List<string> { settings.QuestionField, settings.AnswerField };
        if (settings.SolutionField is { } solutionField && !fields.Contains(solutionField))
        {
            fields.Add(solutionField);
        }

        fields = fields.Distinct(StringComparer.Ordinal).ToList();
        JsonlFile? file = JsonlReader.Read(path, fields, errors);
        if (file is null)
        {
            return null;
        }

        string task = $"{Kind}:{System.IO.Path.GetFileName(settings.Path)}";
        FreeTextFormat format = FormatFor(settings.AnswerFormat, settings.Steps);
        var problems = new List<Problem>(file.Records.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int before = errors.Count;
        foreach (JsonlRecord record in file.Records)
        {
            string answerText = record.Fields[settings.AnswerField];
            string? raw = settings.AnswerFormat.Extract(answerText);
            string answer = AnswerEquivalence.Canonical(raw);
            if (raw is null || answer.Length == 0)
            {
                errors.Add(new DatasetError(path, record.Line, settings.AnswerField, NoAnswer(settings.AnswerFormat, answerText)));
                if (errors.Count - before >= JsonlReader.MaxErrors)
                {
                    errors.Add(new DatasetError(path, record.Line, null, $"stopped reading after {JsonlReader.MaxErrors} problems"));
                    return null;
                }

                continue;
            }

            string prompt = record.Fields[settings.QuestionField].Trim();
            if (seen.Add(prompt))
            {
                IReadOnlyList<string> steps = ReferenceSteps(settings, record, format);
                problems.Add(Problem.Create(task, 0, prompt, answer, steps));
            }
        }

        if (errors.Count != before)
        {
            return null;
        }

        sha256 = file.Sha256;
        return problems;
    }

    private static string NoAnswer(AnswerFormat format, string text)
    {
        string excerpt = text.Length <= 60 ? text : "…" + text[^60..];
        excerpt = excerpt.Replace("\n", "\\n");
        return format switch
        {
            AnswerFormat.Gsm8k => $"no answer: expected '#### <answer>' (answer_format: gsm8k), got \"{excerpt}\"",
            AnswerFormat.Boxed => $"no answer: expected a balanced \\boxed{{...}} (answer_format: boxed), got \"{excerpt}\"",
            _ => $"no answer after normalising (answer_format: plain), got \"{excerpt}\"",
        };
    }

    /// <summary>The reference steps of one record (see the class summary).</summary>
    private static IReadOnlyList<string> ReferenceSteps(JsonlTaskSettings settings, JsonlRecord record, FreeTextFormat format)
    {
        string? solution = settings.SolutionField is { } field ? record.Fields[field] : settings.AnswerFormat == AnswerFormat.Plain ? null : record.Fields[settings.AnswerField];
        if (solution is null)
        {
            return [];
        }

        string body = solution;
        if (settings.AnswerFormat == AnswerFormat.Gsm8k)
        {
            int mark = solution.LastIndexOf(AnswerExtraction.Gsm8kMarker, StringComparison.Ordinal);
            body = CalculatorAnnotation().Replace(mark < 0 ? solution : solution[..mark], "");
        }

        bool lines = format.StepSeparator == "\n";
        List<string> steps = lines ? body.Split('\n').Select(Clean).Where(s => s.Length > 0).ToList() : Paragraphs(body);

        // From the first step that states an answer on, one last step: an answer step must end the solution.
        int first = steps.FindIndex(format.IsAnswerStep);
        if (first >= 0 && first < steps.Count - 1)
        {
            string last = string.Join(lines ? " " : "\n", steps.Skip(first));
            steps = [.. steps.Take(first), last];
        }

        return steps;
    }

    /// <summary>Paragraphs (lines separated by blank lines), or the lines when there is no blank line; each trimmed.</summary>
    private static List<string> Paragraphs(string text)
    {
        string[] lines = text.Split('\n');
        bool blank = lines.SkipWhile(l => l.Trim().Length == 0).Reverse().SkipWhile(l => l.Trim().Length == 0).Any(l => l.Trim().Length == 0);
        if (!blank)
        {
            return lines.Select(Clean).Where(l => l.Length > 0).ToList();
        }

        var paragraphs = new List<string>();
        var paragraph = new StringBuilder();
        foreach (string line in lines.Append(""))
        {
            if (line.Trim().Length > 0)
            {
                paragraph.Append(paragraph.Length > 0 ? "\n" : "").Append(line.TrimEnd());
            }
            else if (paragraph.Length > 0)
            {
                paragraphs.Add(Clean(paragraph.ToString()));
                paragraph.Clear();
            }
        }

        return paragraphs;
    }

    private static string Clean(string step) => step.Trim();

    /// <summary>GSM8K's calculator annotations, <c>&lt;&lt;48/2=24&gt;&gt;</c>: tool calls of its original training, not reasoning.</summary>
    [GeneratedRegex("<<[^<>\n]*>>")]
    private static partial Regex CalculatorAnnotation();
}
