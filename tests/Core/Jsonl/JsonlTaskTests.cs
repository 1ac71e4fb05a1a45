using System.Text;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Tests.Experiments.Records;

namespace Reasoning.Tests.Core.Jsonl;

public sealed class JsonlTaskTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Gsm8kProblemsTakeTheirAnswerAfterTheMarkAndTheirStepsFromTheLinesBeforeIt()
    {
        JsonlTask task = JsonlTask.Load(DatasetFiles.Gsm8k());

        Assert.Equal("jsonl:gsm8k-style.jsonl", task.Name);
        Assert.Equal(30, task.Problems.Count);
        Problem first = task.Problems[0];
        Assert.StartsWith("A baker makes 24 muffins", first.Prompt);
        Assert.Equal("7", first.Answer);
        // GSM8K's calculator annotations (<<24+18=42>>) are not part of the steps.
        Assert.Equal(["In all she makes 24 + 18 = 42 muffins.", "After selling 35 she has 42 - 35 = 7 muffins left."], first.ReferenceSteps);
        Assert.Equal(0, first.Difficulty);
        Assert.Equal(Problem.MakeId("jsonl:gsm8k-style.jsonl", 0, first.Prompt), first.Id);
        Assert.Equal("jsonl:gsm8k-style.jsonl", first.Task);
        // Answers are canonical: "#### 31,900" → 31900, "#### 4.5" stays 4.5, "#### -1" stays -1.
        Assert.Contains(task.Problems, p => p.Answer == "31900");
        Assert.Contains(task.Problems, p => p.Answer == "4.5");
        Assert.Contains(task.Problems, p => p.Answer == "-1");
        Assert.Equal("lines/gsm8k", task.SolutionFormat.Name);
        Assert.Equal(0, task.MinDifficulty);
        Assert.Equal(0, task.MaxDifficulty);
    }

    [Fact]
    public void MathProblemsTakeTheLastBoxedAnswerAndTheirStepsFromParagraphs()
    {
        JsonlTask task = JsonlTask.Load(DatasetFiles.MathBoxed());

        Assert.Equal(20, task.Problems.Count);
        Assert.Equal("paragraphs/boxed", task.SolutionFormat.Name);
        Problem first = task.Problems[0];
        Assert.Equal("Compute $\\frac{1}{2} + \\frac{1}{3}$.", first.Prompt);
        Assert.Equal("5/6", first.Answer);
        Assert.Equal(2, first.ReferenceSteps.Count);
        Assert.EndsWith("\\boxed{\\frac{5}{6}}$.", first.ReferenceSteps[^1]);
        Assert.Equal(
            ["720", "6\\sqrt{2}", "2,3", "1/6", "4/11", "(3,-4)"],
            new[] { 2, 6, 7, 8, 14, 18 }.Select(i => task.Problems[i].Answer));

        // A solution with a \boxed{} before its last paragraph: the steps from there on become one answer step, whose last box is the answer.
        Problem twoBoxes = task.Problems[17];
        Assert.Equal("-2", twoBoxes.Answer);
        string merged = Assert.Single(twoBoxes.ReferenceSteps);
        Assert.Contains("\\boxed{5}", merged);
        Assert.EndsWith("\\boxed{-2}$.", merged);

        // A solution without blank lines is split into its lines; display math stays inside its paragraph.
        Assert.Equal(["The slope is the change in $y$ over the change in $x$: $\\frac{11 - 2}{4 - 1} = \\frac{9}{3} = \\boxed{3}$."], task.Problems[5].ReferenceSteps);
        Assert.Equal(2, task.Problems[4].ReferenceSteps[0].Split('\n').Length);
    }

    [Fact]
    public void ThePlainAnswerFieldAgreesWithTheBoxedAnswerOfEverySolution()
    {
        JsonlTask boxed = JsonlTask.Load(DatasetFiles.MathBoxed());
        JsonlTask plain = JsonlTask.Load(DatasetFiles.MathPlain());

        Assert.Equal("paragraphs/plain", plain.SolutionFormat.Name);
        for (int i = 0; i < boxed.Problems.Count; i++)
        {
            Assert.True(AnswerEquivalence.AreEquivalent(boxed.Problems[i].Answer, plain.Problems[i].Answer), $"{i}: {boxed.Problems[i].Answer} vs {plain.Problems[i].Answer}");
            Assert.Equal(boxed.Problems[i].Answer, plain.Problems[i].Answer);
        }
    }

    [Fact]
    public void EveryReferenceSolutionParsesBackToItsStepsAndAVerifiedAnswer()
    {
        JsonlTaskSettings[] all =
        [
            DatasetFiles.Gsm8k(), DatasetFiles.MathBoxed(), DatasetFiles.MathPlain(),
            DatasetFiles.Gsm8k() with { Steps = StepUnit.Paragraphs }, DatasetFiles.MathBoxed() with { Steps = StepUnit.Lines },
        ];
        foreach (JsonlTaskSettings settings in all)
        {
            JsonlTask task = JsonlTask.Load(settings);
            foreach (Problem problem in task.Problems)
            {
                string completion = task.SolutionFormat.RenderCompletion(problem.ReferenceSteps, problem.Answer);
                ParsedSolution parsed = task.SolutionFormat.ParseCompletion(completion);
                bool endsWithAnswer = problem.ReferenceSteps.Count > 0 && task.SolutionFormat.IsAnswerStep(problem.ReferenceSteps[^1]);
                Assert.Equal(endsWithAnswer ? problem.ReferenceSteps.Take(problem.ReferenceSteps.Count - 1) : problem.ReferenceSteps, parsed.Steps);
                Assert.True(task.VerifyAnswer(problem, parsed.Answer), $"{task.Name} {problem.Id}: {parsed.Answer} vs {problem.Answer}");
                Assert.Equal(0, parsed.MalformedLines);
                Assert.False(parsed.Truncated);
                Assert.All(problem.Prompt.Concat(completion), c => Assert.True(task.Alphabet.Contains(c), $"'{c}' is not in the alphabet"));
            }
        }
    }

    [Theory]
    [InlineData("7", true)]
    [InlineData("7.00", true)]
    [InlineData("$7", true)]
    [InlineData(" 7. ", true)]
    [InlineData("14/2", true)]
    [InlineData("8", false)]
    [InlineData("seven", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void VerifyAnswerComparesNumbersExactly(string? answer, bool expected)
    {
        JsonlTask task = JsonlTask.Load(DatasetFiles.Gsm8k());
        Assert.Equal(expected, task.VerifyAnswer(task.Problems[0], answer));
    }

    [Fact]
    public void ADatasetHasNoStepCheckerAndGeneratesNothing()
    {
        JsonlTask task = JsonlTask.Load(DatasetFiles.Gsm8k());
        IReasoningTask asTask = task;

        Assert.False(asTask.HasStepChecker);
        var error = Assert.Throws<NotSupportedException>(() => task.CheckSteps(task.Problems[0], task.Problems[0].ReferenceSteps));
        Assert.Contains("'jsonl:gsm8k-style.jsonl' has no step checker", error.Message);
        Assert.Contains("labels: monte_carlo", error.Message);
        Assert.Throws<NotSupportedException>(() => asTask.RequireStepChecker());
        Assert.Throws<NotSupportedException>(() => task.Generate(0, new DeterministicRandom(1)));
        Assert.Same(task.SolutionFormat, asTask.SolutionFormat);
    }

    [Fact]
    public void OneFileSplitsBySeedIntoDisjointSplitsWhoseTestSplitIgnoresTheTrainSize()
    {
        JsonlTask task = JsonlTask.Load(DatasetFiles.Gsm8k());

        ProblemSplit split = ProblemSplit.Create(task, 0, trainSize: 20, testSize: 10, seed: 3);
        ProblemSplit again = ProblemSplit.Create(task, 0, trainSize: 20, testSize: 10, seed: 3);
        ProblemSplit other = ProblemSplit.Create(task, 0, trainSize: 20, testSize: 10, seed: 4);
        ProblemSplit smaller = ProblemSplit.Create(task, 0, trainSize: 5, testSize: 10, seed: 3);

        Assert.Equal(20, split.Train.Count);
        Assert.Equal(10, split.Test.Count);
        Assert.Empty(split.Train.Select(p => p.Prompt).Intersect(split.Test.Select(p => p.Prompt)));
        Assert.Equal(30, split.Train.Concat(split.Test).Select(p => p.Id).Distinct().Count());
        Assert.Equal(Ids(split.Train), Ids(again.Train));
        Assert.Equal(Ids(split.Test), Ids(again.Test));
        Assert.NotEqual(Ids(split.Test), Ids(other.Test));
        Assert.Equal(Ids(split.Test), Ids(smaller.Test));
    }

    [Fact]
    public void AskingForMoreProblemsThanTheFileHoldsFailsNamingTheFile()
    {
        JsonlTask task = JsonlTask.Load(DatasetFiles.Gsm8k());

        var error = Assert.Throws<InvalidOperationException>(() => ProblemSplit.Create(task, 0, trainSize: 25, testSize: 10, seed: 1));
        Assert.Contains("gsm8k-style.jsonl holds 30 distinct problems, fewer than the 35 asked for (25 train + 10 test)", error.Message);
        Assert.Equal((false, "gsm8k-style.jsonl holds 30 distinct problems, fewer than the 35 asked for (25 train + 10 test)"), task.SizeProblem(25, 10));
        Assert.True(task.SizeProblem(10, 31)!.Value.Test);
        Assert.Null(task.SizeProblem(20, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProblemSplit.Create(task, 1, trainSize: 5, testSize: 5, seed: 1));
    }

    [Fact]
    public void ATestFileIsTheTestSplitAndItsQuestionsNeverReachTheTrainSplit()
    {
        string[] lines = File.ReadAllLines(DatasetFiles.Gsm8kStyle);
        string train = Write("train.jsonl", string.Join("\n", lines[..25]));
        string test = Write("test.jsonl", string.Join("\n", lines[20..]));
        JsonlTask task = JsonlTask.Load(DatasetFiles.Gsm8k(train, test));

        Assert.Equal("jsonl:train.jsonl", task.Name);
        Assert.Equal(25, task.Problems.Count);
        Assert.Equal(10, task.TestProblems.Count);
        Assert.NotNull(task.TestSha256);
        ProblemSplit split = task.Split(trainSize: 20, testSize: 10, seed: 2);
        Assert.Equal(task.TestProblems.Select(p => p.Id).Order(), Ids(split.Test).Order());
        Assert.Equal(task.Problems.Take(20).Select(p => p.Id).Order(), Ids(split.Train).Order());
        Assert.Equal(Ids(split.Test).Take(4), Ids(task.Split(trainSize: 3, testSize: 4, seed: 2).Test));

        Assert.Equal((false, "train.jsonl holds 20 distinct problems whose question is not in test.jsonl, fewer than the 21 train problems asked for"), task.SizeProblem(21, 5));
        Assert.Equal((true, "test.jsonl holds 10 distinct problems, fewer than the 11 test problems asked for"), task.SizeProblem(5, 11));
    }

    [Fact]
    public void ARepeatedQuestionCountsOnceAndBlankLinesByteOrderMarksAndCrLfAreRead()
    {
        string line = """{"question": "Q1", "answer": "1 + 1 = 2\n#### 2"}""";
        string path = Write("repeats.jsonl", "\uFEFF" + line + "\r\n\r\n   \r\n" + line.Replace("#### 2", "#### 3") + "\r\n" + """{"question": "Q2", "answer": "#### 5"}""" + "\r\n");
        JsonlTask task = JsonlTask.Load(DatasetFiles.Gsm8k(path));

        Assert.Equal(["Q1", "Q2"], task.Problems.Select(p => p.Prompt));
        Assert.Equal("2", task.Problems[0].Answer);
        Assert.Equal(["1 + 1 = 2"], task.Problems[0].ReferenceSteps);
        Assert.Empty(task.Problems[1].ReferenceSteps);
    }

    /// <summary>
    /// <c>steps:</c> overrides the answer format's own step unit, in the references and in what a model writes. Worked by
    /// hand: a GSM8K solution "Add.\nCarry.\n\nCheck.\n#### 5" is three line steps, or the two paragraphs "Add.\nCarry."
    /// and "Check."; a MATH solution "A\nB\n\nSo $\boxed{3}$." is two paragraphs, or the three lines "A", "B" and the answer.
    /// </summary>
    [Fact]
    public void TheStepUnitIsTheFormatsOwnUnlessSettingsNameOne()
    {
        string gsm = Write("steps-gsm.jsonl", """{"question": "Q", "answer": "Add.\nCarry.\n\nCheck.\n#### 5"}""");
        string math = Write("steps-math.jsonl", """{"problem": "P", "solution": "A\nB\n\nSo $\\boxed{3}$."}""");

        Assert.Equal(["Add.", "Carry.", "Check."], JsonlTask.Load(DatasetFiles.Gsm8k(gsm)).Problems[0].ReferenceSteps);
        JsonlTask gsmParagraphs = JsonlTask.Load(DatasetFiles.Gsm8k(gsm) with { Steps = StepUnit.Paragraphs });
        Assert.Equal(["Add.\nCarry.", "Check."], gsmParagraphs.Problems[0].ReferenceSteps);
        Assert.Equal("paragraphs/gsm8k", gsmParagraphs.SolutionFormat.Name);
        Assert.Equal("\n\n", gsmParagraphs.SolutionFormat.StepSeparator);

        Assert.Equal(["A\nB", "So $\\boxed{3}$."], JsonlTask.Load(DatasetFiles.MathBoxed(math)).Problems[0].ReferenceSteps);
        JsonlTask mathLines = JsonlTask.Load(DatasetFiles.MathBoxed(math) with { Steps = StepUnit.Lines });
        Assert.Equal(["A", "B", "So $\\boxed{3}$."], mathLines.Problems[0].ReferenceSteps);
        Assert.Equal("lines/boxed", mathLines.SolutionFormat.Name);

        // Naming the format's own unit changes nothing.
        Assert.Equal(
            JsonlTask.Load(DatasetFiles.Gsm8k(gsm)).Problems[0].ReferenceSteps,
            JsonlTask.Load(DatasetFiles.Gsm8k(gsm) with { Steps = StepUnit.Lines }).Problems[0].ReferenceSteps);
        // What a model writes is split the same way: two paragraphs, then the answer.
        ParsedSolution parsed = gsmParagraphs.SolutionFormat.ParseCompletion("Add.\nCarry.\n\nCheck.\n\n#### 5");
        Assert.Equal(["Add.\nCarry.", "Check."], parsed.Steps);
        Assert.Equal("5", parsed.Answer);
    }

    [Fact]
    public void AMultiLineQuestionKeepsItsLines()
    {
        string path = Write("lines.jsonl", """{"question": "  First line.\r\nSecond line?  ", "answer": "#### 5"}""");
        Assert.Equal("First line.\nSecond line?", JsonlTask.Load(DatasetFiles.Gsm8k(path)).Problems[0].Prompt);
    }

    [Fact]
    public void TheFingerprintFollowsTheBytes()
    {
        string a = Write("a.jsonl", """{"question": "Q", "answer": "#### 1"}""");
        string b = Write("b.jsonl", """{"question": "Q", "answer": "#### 1"}""");
        string c = Write("c.jsonl", """{"question": "Q", "answer": "#### 2"}""");
        Assert.Equal(JsonlTask.Load(DatasetFiles.Gsm8k(a)).Sha256, JsonlTask.Load(DatasetFiles.Gsm8k(b)).Sha256);
        Assert.NotEqual(JsonlTask.Load(DatasetFiles.Gsm8k(a)).Sha256, JsonlTask.Load(DatasetFiles.Gsm8k(c)).Sha256);
        Assert.Equal(16, JsonlTask.Load(DatasetFiles.Gsm8k(a)).Sha256.Length);
    }

    /// <summary>Each broken file gives one error naming the file, the 1-based line and the field.</summary>
    [Theory]
    [InlineData("not json", "{\"question\": \"Q\", \"answer\": \"#### 1\"}\n{\"question\": \"Q2\", \"answer\": \n", 2, null, "is not valid JSON (at byte ")]
    [InlineData("trailing garbage", "{\"question\": \"Q\", \"answer\": \"#### 1\"} x\n", 1, null, "is not valid JSON (at byte ")]
    [InlineData("after blank lines", "\n\n{\"question\": \"Q\", \"answer\": \"#### 1\"\n", 3, null, "is not valid JSON")]
    [InlineData("missing field", "{\"question\": \"Q\", \"answer\": \"#### 1\"}\n{\"question\": \"Q2\", \"solution\": \"#### 1\"}\n", 2, "answer", "missing (the object has: question, solution)")]
    [InlineData("no question", "{\"answer\": \"#### 1\"}", 1, "question", "missing (the object has: answer)")]
    [InlineData("number field", "{\"question\": \"Q\", \"answer\": 42}", 1, "answer", "expected text, got a number")]
    [InlineData("null field", "{\"question\": null, \"answer\": \"#### 1\"}", 1, "question", "expected text, got null")]
    [InlineData("list field", "{\"question\": [\"Q\"], \"answer\": \"#### 1\"}", 1, "question", "expected text, got an array")]
    [InlineData("empty field", "{\"question\": \"  \", \"answer\": \"#### 1\"}", 1, "question", "is empty")]
    [InlineData("not an object", "[\"Q\", \"#### 1\"]", 1, null, "expected a JSON object with the fields 'question', 'answer', got an array")]
    [InlineData("no answer mark", "{\"question\": \"Q\", \"answer\": \"#### 1\"}\n{\"question\": \"Q2\", \"answer\": \"it is 4\"}", 2, "answer", "no answer: expected '#### <answer>' (answer_format: gsm8k), got \"it is 4\"")]
    [InlineData("mark without answer", "{\"question\": \"Q\", \"answer\": \"so 4\\n#### \"}", 1, "answer", "no answer: expected '#### <answer>'")]
    public void ABrokenLineIsNamedWithItsFileLineAndField(string name, string content, int line, string? field, string message)
    {
        string path = Write(name.Replace(' ', '-') + ".jsonl", content);
        DatasetError error = Assert.Single(Assert.Throws<DatasetException>(() => JsonlTask.Load(DatasetFiles.Gsm8k(path))).Errors);
        Assert.Equal(path, error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message);
        Assert.StartsWith($"{path}:{line}: {(field is null ? "" : $"field '{field}': ")}{message}", error.ToString());
    }

    [Fact]
    public void ABoxedAnswerFieldWithoutABoxIsNamed()
    {
        string path = Write("math.jsonl", "{\"problem\": \"P\", \"solution\": \"It is $\\\\boxed{3$.\"}");
        DatasetError error = Assert.Single(Assert.Throws<DatasetException>(() => JsonlTask.Load(DatasetFiles.MathBoxed(path))).Errors);
        Assert.Equal($"{path}:1: field 'solution': no answer: expected a balanced \\boxed{{...}} (answer_format: boxed), got \"It is $\\boxed{{3$.\"", error.ToString());
    }

    [Fact]
    public void InvalidUtf8IsNamedWithItsLine()
    {
        string path = _folder.File("latin1.jsonl");
        byte[] good = Encoding.UTF8.GetBytes("{\"question\": \"Q\", \"answer\": \"#### 1\"}\n");
        byte[] bad = [.. Encoding.UTF8.GetBytes("{\"question\": \"caf"), 0xE9, .. Encoding.UTF8.GetBytes("\", \"answer\": \"#### 1\"}\n")];
        File.WriteAllBytes(path, [.. good, .. bad]);
        DatasetError error = Assert.Single(Assert.Throws<DatasetException>(() => JsonlTask.Load(DatasetFiles.Gsm8k(path))).Errors);
        Assert.Equal($"{path}:2: is not valid UTF-8 text", error.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \r\n")]
    [InlineData("\uFEFF")]
    public void AnEmptyFileIsNamed(string content)
    {
        string path = Write("empty.jsonl", content);
        DatasetError error = Assert.Single(Assert.Throws<DatasetException>(() => JsonlTask.Load(DatasetFiles.Gsm8k(path))).Errors);
        Assert.Equal($"{path}: holds no problems: the file is empty or has only blank lines (expected one JSON object per line)", error.ToString());
    }

    [Fact]
    public void AMissingFileIsNamed()
    {
        string path = _folder.File("absent.jsonl");
        DatasetError error = Assert.Single(Assert.Throws<DatasetException>(() => JsonlTask.Load(DatasetFiles.Gsm8k(path))).Errors);
        Assert.Equal(0, error.Line);
        Assert.StartsWith($"{path}: cannot read the file: ", error.ToString());
    }

    [Fact]
    public void ReadingStopsAfterTenProblemsAndReportsBothFiles()
    {
        string train = Write("train.jsonl", string.Concat(Enumerable.Range(0, 30).Select(i => $"{{\"question\": \"Q{i}\"}}\n")));
        string test = Write("test.jsonl", "{\"question\": \"Q\", \"answer\": 1}\n");
        var errors = Assert.Throws<DatasetException>(() => JsonlTask.Load(DatasetFiles.Gsm8k(train, test))).Errors;

        Assert.Equal(12, errors.Count);
        Assert.All(errors.Take(10), (e, i) => Assert.Equal($"{train}:{i + 1}: field 'answer': missing (the object has: question)", e.ToString()));
        Assert.Equal($"{train}:11: stopped reading after 10 problems", errors[10].ToString());
        Assert.Equal($"{test}:1: field 'answer': expected text, got a number", errors[11].ToString());
    }

    private string Write(string name, string content)
    {
        string path = _folder.File(name);
        File.WriteAllText(path, content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return path;
    }

    private static IEnumerable<string> Ids(IEnumerable<Problem> problems) => problems.Select(p => p.Id);
}
