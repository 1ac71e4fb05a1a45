using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Cli;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Runner;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Experiments.Runner;

public sealed class ExperimentRunnerTests
{
    private static readonly CommandSettings Quiet = new(Plain: true, LogLevel: LogLevel.None);

    private static async Task<(int Exit, string Output)> RunAsync(string specPath, CommandSettings? settings = null)
    {
        var output = new StringWriter();
        int exit = await RunCommand.ExecuteAsync(specPath, settings ?? Quiet, output, output);
        return (exit, output.ToString());
    }

    [Fact]
    public async Task ARunRecordsEveryUnitAndWritesTablesAndPlots()
    {
        using var experiment = new MicroExperiment();
        (int exit, string output) = await RunAsync(experiment.SpecPath);

        Assert.True(exit == 0, output);
        IReadOnlyList<RunRecord> records = RecordLog.Read(experiment.RecordsPath).Records;
        Assert.Single(records.OfType<RunStarted>());
        Assert.Equal(6, records.OfType<UnitFinished>().Count()); // 2 seeds × (base policy + 2 strategies)
        Assert.Equal(2 * 2 * 6, records.OfType<AttemptRecord>().Count());
        foreach (string label in new[] { "greedy", "sc" })
        {
            var phases = records.OfType<PhaseRecord>().Where(p => p.Label == label).ToList();
            Assert.Equal(["train", "inference", "train", "inference"], phases.Select(p => p.Phase));
            Assert.All(phases.Where(p => p.Phase == "inference"), p => Assert.True(p.GeneratedTokens > 0 && p.Flops > 0 && p.PeakResidentBytes > 0));
            Assert.All(phases.Where(p => p.Phase == "train"), p => Assert.Equal(0, p.GeneratedTokens));
        }

        var sft = records.OfType<PhaseRecord>().Where(p => p.Label == RunRecord.BasePolicyLabel).ToList();
        Assert.Equal(2, sft.Count);
        Assert.All(sft, p => Assert.True(p.Phase == "sft" && p.TrainedTokens > 0 && !p.Reused));
        Assert.Equal(2 * 12, records.OfType<CurvePoint>().Count(c => c.Curve == "sft/loss"));

        foreach (string file in new[] { "table.md", "table.csv", "summary.json", "spec.yaml", "spec.canonical.txt", "plots/accuracy-vs-tokens.png", "plots/accuracy-vs-tokens.svg", "plots/training-curves.png" })
        {
            Assert.True(File.Exists(Path.Combine(experiment.RunFolder, file)), file);
        }

        string table = File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"));
        Assert.Contains("| greedy", table);
        Assert.Contains("| sc", table);
        Assert.Contains(table.Trim(), output);
    }

    [Fact]
    public async Task TheSearchStrategiesShareOneRewardModelAndEachPaysForIt()
    {
        const string reward = "label_problems: 12, samples_per_problem: 2, reward_steps: 4, reward_batch_size: 4, max_new_tokens: 24";
        using var experiment = new MicroExperiment(seeds: "[1]", strategies: $$"""
              - strategy: best-of-n
                options: {samples: 3, {{reward}}}
              - strategy: beam
                options: {width: 2, expansions_per_beam: 2, max_step_tokens: 12, max_depth: 4, {{reward}}}
              - strategy: prm-mcts
                options: {simulations: 4, candidates_per_expansion: 2, max_step_tokens: 12, max_depth: 4, {{reward}}}
              - label: majority
                strategy: best-of-n
                options: {samples: 3, selection: majority, max_new_tokens: 24}
            """);

        (int exit, string output) = await RunAsync(experiment.SpecPath);

        Assert.True(exit == 0, output);
        IReadOnlyList<RunRecord> records = RecordLog.Read(experiment.RecordsPath).Records;
        PhaseRecord Train(string label) => records.OfType<PhaseRecord>().Single(p => p.Label == label && p.Phase == "train");
        Assert.False(Train("best-of-n").Reused);
        Assert.True(Train("best-of-n").GeneratedTokens > 0 && Train("best-of-n").TrainedTokens > 0);
        foreach (string label in new[] { "beam", "prm-mcts" })
        {
            // Taken from the cache, charged what it cost to make.
            Assert.True(Train(label).Reused);
            Assert.Equal((Train("best-of-n").GeneratedTokens, Train("best-of-n").TrainedTokens), (Train(label).GeneratedTokens, Train(label).TrainedTokens));
        }

        Assert.Equal(0, Train("majority").GeneratedTokens + Train("majority").TrainedTokens); // plain majority needs no reward model
        Assert.Contains(records.OfType<CurvePoint>(), c => c.Label == "best-of-n" && c.Curve == "reward/loss");
        Assert.All(records.OfType<AttemptRecord>().Where(a => a.Label == "best-of-n"), a => Assert.Equal(3, a.CandidateScores!.Count));
        Assert.All(records.OfType<AttemptRecord>().Where(a => a.Label == "best-of-n"), a => Assert.Equal(3, a.CandidateAnswers!.Count));
        // The question and reference travel with each attempt, so the attempts view needs nothing but the records.
        Assert.All(records.OfType<AttemptRecord>(), a => Assert.True(a.Prompt is { Length: > 0 } && a.Reference is { Length: > 0 }));
        Assert.All(records.OfType<AttemptRecord>().Where(a => a.Label == "majority"), a => Assert.Null(a.CandidateScores));
        string table = File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"));
        Assert.Contains("- best-of-n: the reward model's favourite answer is wrong on ", table);
        Assert.Contains("beam: the train figures of 1 of 1 seeds include a cached model", table);
    }

    [Fact]
    public async Task ASecondRunSkipsFinishedUnitsAndKeepsTheTable()
    {
        using var experiment = new MicroExperiment(seeds: "[3]");
        Assert.Equal(0, (await RunAsync(experiment.SpecPath)).Exit);
        string first = File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"));
        int records = RecordLog.Read(experiment.RecordsPath).Records.Count;

        Assert.Equal(0, (await RunAsync(experiment.SpecPath)).Exit);

        IReadOnlyList<RunRecord> after = RecordLog.Read(experiment.RecordsPath).Records;
        Assert.Equal(records + 1, after.Count); // only the second RunStarted
        Assert.Equal(2, after.OfType<RunStarted>().Count());
        Assert.Equal(MicroExperiment.DeterministicRows(first), MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"))));
    }

    [Fact]
    public async Task AStrategyThatThrowsFailsOnlyItsOwnUnits()
    {
        using var experiment = new MicroExperiment(strategies: """
              - strategy: greedy
                options: {max_new_tokens: 16}
              - strategy: throws
            """);
        var settings = Quiet with { Services = s => s.AddSingleton(ThrowingStrategy.Descriptor) };

        (int exit, string output) = await RunAsync(experiment.SpecPath, settings);

        Assert.Equal(ExitCodes.RunFailed, exit);
        IReadOnlyList<RunRecord> records = RecordLog.Read(experiment.RecordsPath).Records;
        var failures = records.OfType<UnitFailed>().ToList();
        Assert.Equal([1L, 2L], failures.Select(f => f.Seed));
        Assert.All(failures, f => Assert.Equal(("throws", "train", "InvalidOperationException: this strategy fails on purpose"), (f.Label, f.Phase, f.Error)));
        Assert.Equal(2, records.OfType<UnitFinished>().Count(f => f.Label == "greedy"));
        Assert.Contains("this strategy fails on purpose", File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md")));
        Assert.Contains("2 unit(s) failed", output);
    }

    [Fact]
    public async Task AStrategyCannotSeeTheTestAnswers()
    {
        using var experiment = new MicroExperiment(strategies: """
              - strategy: spy
            """, seeds: "[5]", test: 12);
        lock (SpyStrategy.Reports)
        {
            SpyStrategy.Reports.Clear();
        }

        Assert.Equal(0, (await RunAsync(experiment.SpecPath, Quiet with { Services = s => s.AddSingleton(SpyStrategy.Descriptor) })).Exit);

        SpyReport report = Assert.Single(SpyStrategy.Reports);
        ProblemSplit split = ProblemSplit.Create(TaskRegistry.CreateDefault().Get("arithmetic"), 1, 64, 12, seed: 5);
        Assert.Equal(split.Test.Select(p => p.Id), report.QuestionIds);
        Assert.Equal(["Id", "Prompt"], report.QuestionProperties); // a question has no answer to read
        Assert.Equal(split.Test.Select(p => p.Prompt), report.Prompts);
        Assert.All(report.Prompts, prompt => Assert.DoesNotContain("answer", prompt, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, report.QuestionsAmongTrainProblems);
        Assert.Equal(0, report.ProblemServicesFound);
        IReadOnlyList<RunRecord> records = RecordLog.Read(experiment.RecordsPath).Records;
        Assert.All(records.OfType<AttemptRecord>(), a => Assert.False(a.Correct));
    }

    [Fact]
    public void VerificationRefusesAttemptsThatDoNotAnswerTheQuestionsOneToOne()
    {
        IReasoningTask task = TaskRegistry.CreateDefault().Get("arithmetic");
        IReadOnlyList<Problem> problems = ProblemSplit.Create(task, 1, 0, 3, seed: 1).Test;
        var tokenizer = CharTokenizer.ForAlphabets([task.Alphabet]);
        Attempt Right(Problem p) => new(p.Id, p.Answer, $"{p.Prompt}\nanswer: {p.Answer}");

        var verified = ExperimentRunner.Verify(task, 1, "x", problems, problems.Reverse().Select(Right).ToList(), tokenizer);
        Assert.Equal(problems.Select(p => p.Id), verified.Select(v => v.QuestionId)); // question order, whatever the attempts' order
        Assert.All(verified, v => Assert.True(v.Correct && v.Tokens == v.Text.Length));

        string Error(IReadOnlyList<Attempt>? attempts) =>
            Assert.Throws<InvalidOperationException>(() => ExperimentRunner.Verify(task, 1, "x", problems, attempts, tokenizer)).Message;

        Assert.Contains("answered 2 of 3 questions", Error(problems.Skip(1).Select(Right).ToList()));
        Assert.Contains($"two attempts for question '{problems[0].Id}'", Error([.. problems.Select(Right), Right(problems[0])]));
        Assert.Contains("'nope', which is not one of the questions asked", Error([.. problems.Select(Right), new Attempt("nope", "1", "")]));
        Assert.Contains("returned null", Error(null));
    }

    [Fact]
    public async Task ReproduceRebuildsByteIdenticalTablesFromTheRecordsAlone()
    {
        using var experiment = new MicroExperiment(seeds: "[4]");
        Assert.Equal(0, (await RunAsync(experiment.SpecPath)).Exit);
        string copy = Path.Combine(experiment.Folder, "copy");
        Directory.CreateDirectory(copy);
        File.Copy(experiment.RecordsPath, Path.Combine(copy, "records.msgpack"));

        var output = new StringWriter();
        Assert.Equal(0, ReproduceCommand.Execute(copy, null, output, output));

        foreach (string file in new[] { "table.md", "table.csv", "summary.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(experiment.RunFolder, file)), File.ReadAllBytes(Path.Combine(copy, file)));
        }

        Assert.True(File.Exists(Path.Combine(copy, "plots", "accuracy-vs-tokens.png")));
        Assert.Equal(ExitCodes.BadInput, ReproduceCommand.Execute(Path.Combine(experiment.Folder, "nothing-here"), null, output, output));
    }

    [Fact]
    public async Task CalibrationCostsArePerQuestionScaledToTheTestAndDrawnFromTrainProblems()
    {
        // The metered strategy costs 1,000 FLOPs per unit to prepare and 10 per unit and question to solve. Calibrated on
        // 4 train questions at 1 and 3 units: 1,000 + 40 and 3,000 + 120 FLOPs (4,160 in all); per question 10 and 30, so
        // over the 6 test questions the pilots predict 1,000 + 60 = 1,060 and 3,000 + 180 = 3,180: 1,060 per unit. A budget
        // of 50,000 buys floor(50,000 / 1,060) = 47 units, predicted at 47 × 1,060 = 49,820 FLOPs.
        while (MeteredStrategy.Solved.TryDequeue(out _))
        {
        }

        using var experiment = new MicroExperiment(
            """
              - strategy: metered
                budget: {option: units, max: 64, pilot: [1, 3]}
            """,
            seeds: "[2]", budget: "budget: {flops: 50000, calibration_questions: 4}");
        (int exit, string output) = await RunAsync(experiment.SpecPath, Quiet with { Services = s => s.AddSingleton(MeteredStrategy.Descriptor) });

        Assert.True(exit == 0, output);
        BudgetChoice choice = RecordLog.Read(experiment.RecordsPath).Records.OfType<BudgetChoice>().Single();
        Assert.Equal([1060.0, 3180.0], choice.PilotFlops);
        Assert.Equal(4160, choice.CalibrationFlops);
        Assert.Equal((47, 49820.0, BudgetChoice.BoundByBudget), (choice.Value, choice.PredictedFlops, choice.Limit));
        // The pilots were asked 4 questions each, all of them train problems; the unit, 6 test questions, none of them.
        Assert.Equal([(1, 4, 4), (3, 4, 4), (47, 6, 0)], MeteredStrategy.Solved.ToArray());
    }

    [Fact]
    public async Task UnderABudgetTheRunnerSizesTheOptionFromTwoCalibrationRunsAndReportsItsChoice()
    {
        const double budget = 5e7;
        using var experiment = new MicroExperiment(
            """
              - strategy: greedy
                options: {max_new_tokens: 24}
              - label: sc
                strategy: self-consistency
                options: {max_new_tokens: 24}
                budget: {option: samples, max: 64, pilot: [1, 3]}
            """,
            seeds: "[2]", budget: $"budget: {{flops: {budget:R}, calibration_questions: 4}}");
        (int exit, string output) = await RunAsync(experiment.SpecPath);

        Assert.True(exit == 0, output);
        IReadOnlyList<RunRecord> records = RecordLog.Read(experiment.RecordsPath).Records;
        BudgetChoice choice = records.OfType<BudgetChoice>().Single();
        Assert.Equal(("sc", "samples", budget), (choice.Label, choice.Option, choice.BudgetFlops));
        Assert.Equal([1, 3], choice.PilotValues);
        Assert.True(choice.CalibrationFlops > 0 && choice.CalibrationSeconds > 0);

        // The choice is the planner's on the recorded pilot totals: where their line meets the budget, rounded down.
        double slope = (choice.PilotFlops[1] - choice.PilotFlops[0]) / 2;
        double intercept = choice.PilotFlops[0] - slope;
        Assert.True(choice.Limit == BudgetChoice.BoundByBudget, $"{choice}: {string.Join(", ", choice.PilotFlops)}");
        Assert.Equal((int)Math.Floor((budget - intercept) / slope), choice.Value);
        Assert.InRange(choice.Value, 4, 63);
        Assert.Equal(intercept + slope * choice.Value, choice.PredictedFlops, 1e-6 * budget);

        // The unit ran with that many samples: its inference sampled that many solutions per question.
        PhaseRecord inference = records.OfType<PhaseRecord>().Single(p => p.Label == "sc" && p.Phase == "inference");
        PhaseRecord greedy = records.OfType<PhaseRecord>().Single(p => p.Label == "greedy" && p.Phase == "inference");
        Assert.InRange(inference.GeneratedTokens, choice.Value * greedy.GeneratedTokens / 4, choice.Value * 24L * 6);

        string table = File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"));
        Assert.Contains("Compute budget: 5.00e7 FLOPs per seed", table);
        Assert.Contains($"- sc: samples = {choice.Value} (seeds 2); predicted ", table);
        Assert.Matches(@"- greedy: no budgeted option; spent [0-9.e]+ FLOPs per seed \([0-9.]+% of the budget; seeds [0-9.]+%\)\.", table);
        Assert.Contains("budget_flops,budget_option,budget_values,budget_total_flops_mean", File.ReadAllText(Path.Combine(experiment.RunFolder, "table.csv")));
        Assert.True(File.Exists(Path.Combine(experiment.RunFolder, "plots", "accuracy-vs-total-flops.png")));
    }

    [Fact]
    public async Task ATaskSweepRunsEachValueAsARunOfItsOwnAndTabulatesThemTogether()
    {
        using var experiment = new MicroExperiment(seeds: "[3]", difficulty: "sweep: {difficulty: [1, 2]}");
        (int exit, string output) = await RunAsync(experiment.SpecPath);

        Assert.True(exit == 0, output);
        string sweep = experiment.RunFolder;
        foreach (int difficulty in new[] { 1, 2 })
        {
            string run = Path.Combine(sweep, $"difficulty-{difficulty}");
            IReadOnlyList<RunRecord> records = RecordLog.Read(Path.Combine(run, "records.msgpack")).Records;
            Assert.Equal(3, records.OfType<UnitFinished>().Count()); // base policy + 2 strategies, one seed
            Assert.Contains($"task.difficulty: {difficulty}\n", records.OfType<RunStarted>().Single().SpecText);
            Assert.Equal(File.ReadAllText(Path.Combine(run, "spec.canonical.txt")), records.OfType<RunStarted>().Single().SpecText);
            Assert.True(File.Exists(Path.Combine(run, "table.md")));
            Assert.False(File.Exists(Path.Combine(run, "spec.yaml"))); // the swept spec is written once, above
        }

        // The runs of one value are those of the unswept spec at that value: same canonical text, same records but time and memory.
        Assert.Contains("task.sweep.difficulty: [1, 2]\n", File.ReadAllText(Path.Combine(sweep, "spec.canonical.txt")));
        string table = File.ReadAllText(Path.Combine(sweep, "table.md"));
        Assert.StartsWith("Task sweep over difficulty: 1, 2.", table);
        var rows = table.Split('\n').Where(l => l.StartsWith("| 1 |") || l.StartsWith("| 2 |")).ToList();
        Assert.Equal(["| 1 | greedy", "| 1 | sc", "| 2 | greedy", "| 2 | sc"], rows.Select(r => string.Join('|', r.Split('|').Take(3)).TrimEnd()));
        Assert.EndsWith("| — |", rows[0]); // the reference is not paired with itself
        Assert.Matches(@"\| [+−]\d+\.\d; p = [^|]+ \|$", rows[1]);
        string csv = File.ReadAllText(Path.Combine(sweep, "table.csv"));
        Assert.StartsWith("difficulty,strategy,type,", csv);
        Assert.Equal(5, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (string plot in new[] { "accuracy-vs-difficulty", "inference-tokens-vs-difficulty", "peak-memory-vs-difficulty" })
        {
            Assert.True(File.Exists(Path.Combine(sweep, "plots", plot + ".png")), plot);
        }

        Assert.Contains(table.Trim(), output);

        // The difficulty-2 run alone, written without the sweep, is the same experiment.
        using var alone = new MicroExperiment(seeds: "[3]", difficulty: "difficulty: 2");
        Assert.Equal(0, (await RunAsync(alone.SpecPath)).Exit);
        Assert.Equal(File.ReadAllText(Path.Combine(alone.RunFolder, "spec.canonical.txt")), File.ReadAllText(Path.Combine(sweep, "difficulty-2", "spec.canonical.txt")));
        Assert.Equal(
            MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(alone.RunFolder, "table.md"))),
            MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(sweep, "difficulty-2", "table.md"))));

        // reproduce rebuilds the sweep from its runs' records alone.
        string copy = Path.Combine(experiment.Folder, "copy");
        foreach (int difficulty in new[] { 1, 2 })
        {
            Directory.CreateDirectory(Path.Combine(copy, $"difficulty-{difficulty}"));
            File.Copy(Path.Combine(sweep, $"difficulty-{difficulty}", "records.msgpack"), Path.Combine(copy, $"difficulty-{difficulty}", "records.msgpack"));
        }

        var reproduced = new StringWriter();
        Assert.Equal(0, ReproduceCommand.Execute(copy, null, reproduced, reproduced));
        foreach (string file in new[] { "table.md", "table.csv", "difficulty-1/table.md", "difficulty-2/summary.json" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(sweep, file)), File.ReadAllBytes(Path.Combine(copy, file)));
        }

        Assert.Contains("rebuilt 2 runs of a difficulty sweep", reproduced.ToString());
    }

    [Theory]
    [InlineData("quickstart")]
    [InlineData("prm-search")]
    [InlineData("prm-search-stronger-policy")]
    [InlineData("r1-grpo")]
    [InlineData("grpo-length")]
    [InlineData("test-time-scaling")]
    [InlineData("compute-matched")]
    [InlineData("depth-sweep")]
    public void PublishedTablesAreWhatTheirRecordsRebuild(string experiment)
    {
        string published = Path.Combine(TestRepository.Root, "docs", "results", experiment);
        string rebuilt = Directory.CreateTempSubdirectory("reasoning-reproduce-").FullName;
        try
        {
            Assert.Equal(0, ReproduceCommand.Execute(published, rebuilt, new StringWriter(), new StringWriter()));
            // A task sweep's folder has a run per value below it, each with its own tables.
            var tables = Directory.EnumerateFiles(published, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f) is "table.md" or "table.csv" or "summary.json")
                .Select(f => Path.GetRelativePath(published, f))
                .ToList();
            Assert.Contains("table.md", tables);
            foreach (string file in tables)
            {
                Assert.True(File.ReadAllBytes(Path.Combine(published, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(rebuilt, file))), file);
            }
        }
        finally
        {
            Directory.Delete(rebuilt, recursive: true);
        }
    }

    [Fact]
    public async Task ATornRecordLogResumesToTheSameTable()
    {
        using var experiment = new MicroExperiment(seeds: "[1, 2]");
        Assert.Equal(0, (await RunAsync(experiment.SpecPath)).Exit);
        string complete = MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md")));
        long length = new FileInfo(experiment.RecordsPath).Length;

        // Cut the log at several points, as a kill during a write would, and resume each time.
        foreach (double fraction in new[] { 0.93, 0.61, 0.27 })
        {
            using (var file = new FileStream(experiment.RecordsPath, FileMode.Open))
            {
                file.SetLength((long)(fraction * length));
            }

            Assert.Equal(0, (await RunAsync(experiment.SpecPath)).Exit);
            Assert.Equal(complete, MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"))));
            Assert.Equal(0, RecordLog.Read(experiment.RecordsPath).TornBytes);
            length = new FileInfo(experiment.RecordsPath).Length;
        }
    }

    [Fact]
    public async Task AFlippedByteMidLogIsReportedWhereItIsAndTheRunRepairsItToTheSameTable()
    {
        using var experiment = new MicroExperiment(seeds: "[1, 2]");
        Assert.Equal(0, (await RunAsync(experiment.SpecPath)).Exit);
        string complete = MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md")));
        IReadOnlyList<RunRecord> before = RecordLog.Read(experiment.RecordsPath).Records;

        // Walk the frames by their length prefixes (4 bytes little-endian, then 4 of checksum) to find the
        // second attempt of seed 1's greedy unit, and flip one bit in its payload.
        byte[] bytes = File.ReadAllBytes(experiment.RecordsPath);
        var offsets = new List<int>();
        for (int at = 0; at < bytes.Length; at += 8 + BitConverter.ToInt32(bytes, at))
        {
            offsets.Add(at);
        }

        Assert.Equal(before.Count, offsets.Count);
        int target = before.Select((r, i) => (r, i)).Where(x => x.r is AttemptRecord { Seed: 1, Label: "greedy" }).Skip(1).First().i;
        bytes[offsets[target] + 8 + 5] ^= 0x10;
        File.WriteAllBytes(experiment.RecordsPath, bytes);

        var errors = new StringWriter();
        string rebuilt = Path.Combine(experiment.Folder, "rebuilt");
        Assert.Equal(0, ReproduceCommand.Execute(experiment.RunFolder, rebuilt, new StringWriter(), errors));
        Assert.Contains($"corrupt bytes at record {target + 1} (offset {offsets[target]:N0}, {offsets[target + 1] - offsets[target]:N0} bytes); {before.Count - target - 1} records after them are kept", errors.ToString());
        string damagedTable = File.ReadAllText(Path.Combine(rebuilt, "table.md"));
        Assert.Contains("- greedy, seed 1 (records): records of this unit were lost to corrupt bytes", damagedTable);

        (int exit, string output) = await RunAsync(experiment.SpecPath);
        Assert.True(exit == 0, output);
        Assert.Equal(complete, MicroExperiment.DeterministicRows(File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"))));
        string copy = Assert.Single(Directory.GetFiles(experiment.RunFolder, "records.msgpack.damaged-*"));
        Assert.Equal(bytes, File.ReadAllBytes(copy));

        // The records after the damage survived: only the damaged unit ran again.
        IReadOnlyList<RunRecord> after = RecordLog.Read(experiment.RecordsPath).Records;
        Assert.Equal(before.Skip(target + 1), after.Skip(target).Take(before.Count - target - 1));
        Assert.Equal([(1L, "greedy")], after.Skip(before.Count).OfType<UnitStarted>().Select(u => (u.Seed, u.Label)));
    }

    [Fact]
    public async Task UnitsTheRecordsLackAreListedUnderTheTableAndInTheSummary()
    {
        using var experiment = new MicroExperiment(seeds: "[1, 2]");
        Assert.Equal(0, (await RunAsync(experiment.SpecPath)).Exit);
        string complete = File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"));
        Assert.DoesNotContain("Missing units", complete);
        Assert.Contains("\"missing\": []", File.ReadAllText(Path.Combine(experiment.RunFolder, "summary.json")));

        // Cut the last 50 bytes: the last unit (sc, seed 2) loses its end record.
        using (var file = new FileStream(experiment.RecordsPath, FileMode.Open))
        {
            file.SetLength(file.Length - 50);
        }

        string rebuilt = Path.Combine(experiment.Folder, "rebuilt");
        Assert.Equal(0, ReproduceCommand.Execute(experiment.RunFolder, rebuilt, new StringWriter(), new StringWriter()));
        Assert.Contains("\nMissing units (in the spec, not in the records", File.ReadAllText(Path.Combine(rebuilt, "table.md")));
        Assert.Contains("\n- sc: seed 2 missing\n", File.ReadAllText(Path.Combine(rebuilt, "table.md")));
        Assert.Contains("\"missing\": [\n    {\n      \"label\": \"sc\",\n      \"seeds\": [\n        2\n      ]", File.ReadAllText(Path.Combine(rebuilt, "summary.json")));
    }
}
