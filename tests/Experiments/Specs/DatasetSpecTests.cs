using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Experiments.Cli;
using Reasoning.Experiments.Specs;
using Reasoning.Policy.Strategies;
using Reasoning.Tests.Core.Jsonl;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary><c>task: {kind: jsonl, ...}</c>: the dataset is read with the spec, and its problems are reported like the spec's own.</summary>
public sealed class DatasetSpecTests : IDisposable
{
    private readonly SpecTestBed _bed = new();

    public DatasetSpecTests()
    {
        Directory.CreateDirectory(Path.Combine(_bed.Folder, "data"));
        File.Copy(DatasetFiles.Gsm8kStyle, Path.Combine(_bed.Folder, "data", "gsm.jsonl"));
        File.Copy(DatasetFiles.MathStyle, Path.Combine(_bed.Folder, "data", "math.jsonl"));
    }

    public void Dispose() => _bed.Dispose();

    /// <summary>A valid spec of twelve lines over the GSM8K-style sample; <paramref name="strategies"/>, when given, replace its one item (line 12 on).</summary>
    private static string Valid(params string[] strategies) => Yaml(
        [
            "name: t",                      // 1
            "seeds: [1]",                   // 2
            "task:",                        // 3
            "  kind: jsonl",                // 4
            "  path: data/gsm.jsonl",       // 5
            "  question: question",         // 6
            "  answer: answer",             // 7
            "  answer_format: gsm8k",       // 8
            "  train: 20",                  // 9
            "  test: 5",                    // 10
            "strategies:",                  // 11
            .. (strategies.Length > 0 ? strategies : ["  - strategy: greedy"]), // 12...
        ]);

    [Fact]
    public void AGsm8kSpecReadsItsFileRelativeToTheSpec()
    {
        SpecLoadResult result = _bed.Parse(Valid());

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        TaskSpec task = result.Spec!.Task;
        var dataset = Assert.IsType<JsonlTask>(task.Task);
        Assert.Equal("jsonl:gsm.jsonl", dataset.Name);
        Assert.Equal(Path.Combine(_bed.Folder, "data", "gsm.jsonl"), dataset.Settings.Path);
        Assert.Equal(30, dataset.Problems.Count);
        Assert.Equal((0, 20, 5), (task.Difficulty, task.Train, task.Test));
        Assert.Contains(
            "task.kind: jsonl\ntask.path: gsm.jsonl\n" +
            $"task.path_sha256: {dataset.Sha256}\ntask.question: question\ntask.answer: answer\ntask.answer_format: gsm8k\n" +
            "task.difficulty: 0\ntask.train: 20\ntask.test: 5\n",
            result.Spec.CanonicalText);

        // The runner's split comes from the dataset.
        ProblemSplit split = ProblemSplit.Create(task.Task, task.Difficulty, task.Train, task.Test, seed: 1);
        Assert.Equal((20, 5), (split.Train.Count, split.Test.Count));
    }

    [Fact]
    public void AMathSpecWithATestFileAndASolutionFieldReadsBoth()
    {
        File.WriteAllLines(Path.Combine(_bed.Folder, "data", "math-test.jsonl"), File.ReadAllLines(DatasetFiles.MathStyle)[15..]);
        SpecLoadResult result = _bed.Parse(Valid()
            .Replace("data/gsm.jsonl", "data/math.jsonl\n  test_path: data/math-test.jsonl")
            .Replace("question: question", "question: problem")
            .Replace("answer_format: gsm8k", "answer_format: plain\n  solution: solution")
            .Replace("train: 20", "train: 15"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var dataset = Assert.IsType<JsonlTask>(result.Spec!.Task.Task);
        Assert.Equal(5, dataset.TestProblems.Count);
        Assert.Contains($"task.test_path: math-test.jsonl\ntask.test_path_sha256: {dataset.TestSha256}\n", result.Spec.CanonicalText);
        Assert.Contains("task.answer_format: plain\ntask.solution: solution\n", result.Spec.CanonicalText);
    }

    [Fact]
    public void StepsNamesTheStepUnitAndIsPartOfTheIdentityOnlyWhenWritten()
    {
        SpecLoadResult plain = _bed.Parse(Valid());
        SpecLoadResult paragraphs = _bed.Parse(Valid().Replace("answer_format: gsm8k", "answer_format: gsm8k\n  steps: paragraphs"));
        SpecLoadResult lines = _bed.Parse(Valid().Replace("answer_format: gsm8k", "answer_format: gsm8k\n  steps: lines"));

        Assert.True(paragraphs.IsValid, string.Join("\n", paragraphs.Errors));
        Assert.Equal(StepUnit.Paragraphs, Assert.IsType<JsonlTask>(paragraphs.Spec!.Task.Task).Settings.Steps);
        Assert.Equal("paragraphs/gsm8k", paragraphs.Spec.Task.Task.SolutionFormat.Name);
        Assert.Contains("task.answer_format: gsm8k\ntask.steps: paragraphs\ntask.difficulty: 0\n", paragraphs.Spec.CanonicalText);
        Assert.DoesNotContain("task.steps", plain.Spec!.CanonicalText);
        Assert.NotEqual(plain.Spec.Hash, paragraphs.Spec.Hash);
        // Written out, the format's own unit is a different text, so a different identity, but the same steps.
        Assert.Contains("task.steps: lines\n", lines.Spec!.CanonicalText);
        Assert.Equal("lines/gsm8k", lines.Spec.Task.Task.SolutionFormat.Name);
    }

    [Fact]
    public void ATrainSweepIsCheckedAgainstTheDataset()
    {
        SpecLoadResult result = _bed.Parse(Valid().Replace("  train: 20\n", "  sweep: {train: [20, 10]}\n"));

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(["train-10", "train-20"], result.Spec!.TaskSweep!.Variants.Select(v => v.Label));
    }

    [Fact]
    public void TheRunIdentityFollowsTheDataNotItsFolder()
    {
        string hash = _bed.Parse(Valid()).Spec!.Hash;

        Directory.CreateDirectory(Path.Combine(_bed.Folder, "elsewhere"));
        File.Copy(Path.Combine(_bed.Folder, "data", "gsm.jsonl"), Path.Combine(_bed.Folder, "elsewhere", "gsm.jsonl"));
        Assert.Equal(hash, _bed.Parse(Valid().Replace("data/gsm.jsonl", "elsewhere/gsm.jsonl")).Spec!.Hash);

        File.AppendAllText(Path.Combine(_bed.Folder, "elsewhere", "gsm.jsonl"), "{\"question\": \"One more?\", \"answer\": \"#### 1\"}\n");
        Assert.NotEqual(hash, _bed.Parse(Valid().Replace("data/gsm.jsonl", "elsewhere/gsm.jsonl")).Spec!.Hash);
        Assert.NotEqual(hash, _bed.Parse(Valid().Replace("answer: answer", "answer: answer\n  solution: answer")).Spec!.Hash);
    }

    public static TheoryData<string, string, int, int, string, string> Problems => new()
    {
        // name, yaml, line, column, key, message
        { "difficulty other than 0", Valid().Replace("  train: 20\n", "  difficulty: 2\n  train: 20\n"), 9, 15, "task.difficulty", "a dataset has no difficulty: leave 'difficulty' out (or write 0), not 2" },
        { "missing answer format", Valid().Replace("  answer_format: gsm8k\n", ""), 4, 3, "task.answer_format", "missing required key 'answer_format'" },
        { "missing path", Valid().Replace("  path: data/gsm.jsonl\n", ""), 4, 3, "task.path", "missing required key 'path'" },
        { "unknown answer format", Valid().Replace("answer_format: gsm8k", "answer_format: gsm8"), 8, 18, "task.answer_format", "'gsm8' is not one of gsm8k, boxed, plain; did you mean 'gsm8k'?" },
        { "unknown step unit", Valid().Replace("answer_format: gsm8k", "answer_format: gsm8k\n  steps: paragraph"), 9, 10, "task.steps", "'paragraph' is not one of lines, paragraphs; did you mean 'paragraphs'?" },
        { "empty path", Valid().Replace("path: data/gsm.jsonl", "path: ' '"), 5, 9, "task.path", "expected the path of a JSONL file (relative to the spec's folder), got nothing" },
        { "empty field name", Valid().Replace("question: question", "question: ''"), 6, 13, "task.question", "expected the name of a JSON field, got nothing" },
        { "a field the file lacks", Valid().Replace("question: question", "question: problem"), 5, 9, "task.path", "data/gsm.jsonl:1: field 'problem': missing (the object has: question, answer)" },
        { "a format the file does not use", Valid().Replace("answer_format: gsm8k", "answer_format: boxed"), 5, 9, "task.path", "data/gsm.jsonl:1: field 'answer': no answer: expected a balanced \\boxed{...} (answer_format: boxed), got \"" },
        { "too many problems", Valid().Replace("train: 20", "train: 40"), 9, 10, "task.train", "gsm.jsonl holds 30 distinct problems, fewer than the 45 asked for (40 train + 5 test)" },
        { "too many test problems", Valid().Replace("test: 5", "test: 31"), 10, 9, "task.test", "gsm.jsonl holds 30 distinct problems, fewer than the 51 asked for (20 train + 31 test)" },
        { "too many in a sweep", Valid().Replace("  train: 20\n", "  sweep: {train: [10, 26]}\n"), 9, 18, "task.sweep.train", "gsm.jsonl holds 30 distinct problems, fewer than the 31 asked for (26 train + 5 test)" },
        { "a missing file", Valid().Replace("data/gsm.jsonl", "data/absent.jsonl"), 5, 9, "task.path", "data/absent.jsonl: cannot read the file: " },
        { "a missing test file", Valid().Replace("  question:", "  test_path: data/absent.jsonl\n  question:"), 6, 14, "task.test_path", "data/absent.jsonl: cannot read the file: " },
        { "a dataset key on a generated task", Valid().Replace("kind: jsonl", "kind: arithmetic\n  difficulty: 2"), 6, 3, "task.path", "unknown key 'path'; allowed: kind, type, assembly, difficulty, train, test, sweep" },
        { "a near miss of jsonl", Valid().Replace("kind: jsonl", "kind: jsnol"), 4, 9, "task.kind", "unknown task 'jsnol'; did you mean 'jsonl' (a JSONL dataset)? known tasks: arithmetic, countdown, shortest-path, jsonl" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void EachProblemIsPlacedAtItsKey(string name, string yaml, int line, int column, string key, string message)
    {
        SpecLoadResult result = _bed.Parse(yaml);

        Assert.False(result.IsValid, name);
        SpecError error = result.Errors.First(e => e.Key == key);
        Assert.Equal((line, column), (error.Location.Line, error.Location.Column));
        Assert.StartsWith(message, error.Message);
        Assert.Equal(FileName, error.Location.File);
    }

    [Fact]
    public void ABrokenLineIsReportedWithTheSpecsPlaceAndTheFilesLine()
    {
        string path = Path.Combine(_bed.Folder, "data", "gsm.jsonl");
        string[] lines = File.ReadAllLines(path);
        lines[2] = lines[2][..^5];
        lines[6] = lines[6].Replace("\"answer\"", "\"answr\"");
        File.WriteAllLines(path, lines);

        SpecLoadResult result = _bed.Parse(Valid());

        Assert.Equal(2, result.Errors.Count);
        Assert.StartsWith("spec.yaml:5:9: task.path: data/gsm.jsonl:3: is not valid JSON (at byte ", result.Errors[0].ToString());
        Assert.Equal("spec.yaml:5:9: task.path: data/gsm.jsonl:7: field 'answer': missing (the object has: question, answr)", result.Errors[1].ToString());
    }

    [Fact]
    public void ExactStepLabelsAreRefusedForADatasetAndMonteCarloLabelsAccepted()
    {
        var catalog = new SpecCatalog(TaskRegistry.CreateDefault(), [GreedyStrategy.Descriptor, StepLabelFakes.Labelled], _bed.Loader);
        SpecLoadResult SpecWith(string yaml) => SpecLoader.Parse(yaml, FileName, _bed.Folder, catalog);

        SpecLoadResult exact = SpecWith(Valid("  - strategy: labelled", "    options: {labels: exact}"));
        SpecError error = Assert.Single(exact.Errors);
        Assert.Equal("spec.yaml:13:14: strategies[0].options: strategy labelled needs the task's step checker with these options (exact step labels, the default), " +
            "but task 'jsonl:gsm.jsonl' has none (a dataset cannot judge one step of free text); label steps by Monte-Carlo rollouts (labels: monte_carlo)", error.ToString());

        // The default is exact too; with no options written, the error is placed at the item.
        Assert.Equal((12, 5), Assert.Single(SpecWith(Valid("  - strategy: labelled")).Errors) is var e ? (e.Location.Line, e.Location.Column) : default);

        Assert.True(SpecWith(Valid("  - strategy: labelled", "    options: {labels: monte_carlo}")).IsValid);
        string arithmetic = Valid("  - strategy: labelled").Replace(
            "  kind: jsonl\n  path: data/gsm.jsonl\n  question: question\n  answer: answer\n  answer_format: gsm8k\n", "  kind: arithmetic\n  difficulty: 2\n");
        Assert.True(SpecWith(arithmetic).IsValid, string.Join("\n", SpecWith(arithmetic).Errors));
    }

    [Fact]
    public void ValidateFindsABrokenDatasetAndExitsWithTwo()
    {
        string spec = Path.Combine(_bed.Folder, FileName);
        File.WriteAllText(spec, Valid());
        var output = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(0, ValidateCommand.Execute(spec, new CommandSettings(), output, errors));
        Assert.Contains("task jsonl:gsm.jsonl, difficulty 0, 20 train and 5 test problems per seed", output.ToString());

        File.AppendAllText(Path.Combine(_bed.Folder, "data", "gsm.jsonl"), "{\"question\": \"Broken\", \"answer\": 7}\n");
        errors = new StringWriter();
        Assert.Equal(2, ValidateCommand.Execute(spec, new CommandSettings(), new StringWriter(), errors));
        Assert.Contains($"{spec}:5:9: task.path: data/gsm.jsonl:31: field 'answer': expected text, got a number", errors.ToString());
    }
}
