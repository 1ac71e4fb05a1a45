using Reasoning.Experiments.Specs;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary><c>task.sweep</c>: the experiment once per value of one task key, each run the unswept spec at that value.</summary>
public sealed class TaskSweepTests : IDisposable
{
    private readonly SpecTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static string WithTask(string task) => Yaml(
        "name: depth",
        "seeds: [1]",
        $"task: {task}",
        "strategies:",
        "  - strategy: greedy");

    [Fact]
    public void ASweptDifficultyGivesOneVariantPerValueInIncreasingValue()
    {
        SpecLoadResult result = _bed.Parse(WithTask("{kind: arithmetic, train: 100, test: 10, sweep: {difficulty: [4, 2, 3]}}"));

        Assert.Empty(result.Errors);
        TaskSweep sweep = result.Spec!.TaskSweep!;
        Assert.Equal("difficulty", sweep.Key);
        Assert.Equal(["difficulty-2", "difficulty-3", "difficulty-4"], sweep.Variants.Select(v => v.Label));
        Assert.Equal([2, 3, 4], sweep.Variants.Select(v => v.Task.Difficulty));
        Assert.All(sweep.Variants, v => Assert.Equal((100, 10), (v.Task.Train, v.Task.Test)));
        Assert.Equal(2, result.Spec.Task.Difficulty); // the first value's
        Assert.Contains("task.sweep.difficulty: [2, 3, 4]\n", result.Spec.CanonicalText);
        Assert.DoesNotContain("task.difficulty:", result.Spec.CanonicalText);

        // The order the values are written in is not part of the experiment.
        Assert.Equal(result.Spec.Hash, _bed.Parse(WithTask("{kind: arithmetic, train: 100, test: 10, sweep: {difficulty: [2, 3, 4]}}")).Spec!.Hash);
    }

    [Fact]
    public void EachVariantIsTheExperimentWrittenWithoutTheSweep()
    {
        ExperimentSpec swept = _bed.Parse(WithTask("{kind: arithmetic, difficulty: 2, train: 100, sweep: {test: [10, 20]}}")).Spec!;
        ExperimentSpec written = _bed.Parse(WithTask("{kind: arithmetic, difficulty: 2, train: 100, test: 20}")).Spec!;

        ExperimentSpec variant = swept.ForVariant(swept.TaskSweep!.Variants[1]);

        Assert.Equal("test-20", swept.TaskSweep.Variants[1].Label);
        Assert.Null(written.TaskSweep);
        Assert.Null(variant.TaskSweep);
        Assert.Equal(written.Task, variant.Task);
        Assert.Equal(written.CanonicalText, variant.CanonicalText);
        Assert.Equal(written.Hash, variant.Hash);
        Assert.NotEqual(swept.Hash, variant.Hash);
    }

    [Fact]
    public void EveryMistakeInATaskSweepIsNamedWhereItIsWritten()
    {
        string yaml = Yaml(
            "name: depth",
            "seeds: [1]",
            "task:",
            "  kind: arithmetic",
            "  difficulty: 2",
            "  train: 100",
            "  test: 10",
            "  sweep: {difficulty: [2, 3]}",
            "strategies:",
            "  - strategy: greedy");
        Assert.Equal(
            ["spec.yaml:8:11: task.sweep.difficulty: 'difficulty' is both set in task and swept; keep it in one place"],
            _bed.Parse(yaml).Errors.Select(e => e.ToString()));

        Assert.Equal(
            [
                "spec.yaml:3:7: task.difficulty: missing required key 'difficulty'",
                "spec.yaml:3:56: task.sweep.dificulty: unknown key 'dificulty'; did you mean 'difficulty'? allowed: difficulty, train, test",
            ],
            _bed.Parse(WithTask("{kind: arithmetic, train: 100, test: 10, sweep: {dificulty: [2]}}")).Errors.Select(e => e.ToString()));
        Assert.Equal(
            ["spec.yaml:3:45: task.sweep: sweeps 2 keys; a task sweep takes one key at a time (difficulty, train, test)"],
            _bed.Parse(WithTask("{kind: arithmetic, train: 100, sweep: {difficulty: [2], test: [5]}}")).Errors.Select(e => e.ToString()));
        Assert.Equal(
            ["spec.yaml:3:68: task.sweep.difficulty: expected a non-empty list of values to sweep, got '3'"],
            _bed.Parse(WithTask("{kind: arithmetic, train: 100, test: 10, sweep: {difficulty: 3}}")).Errors.Select(e => e.ToString()));
        Assert.Equal(
            [
                "spec.yaml:3:7: task.difficulty: missing required key 'difficulty'",
                "spec.yaml:3:55: task.sweep: expected a mapping of one task key (difficulty, train, test) to a list of values, e.g. difficulty: [2, 3, 4], got a list",
            ],
            _bed.Parse(WithTask("{kind: arithmetic, train: 100, test: 10, sweep: [difficulty]}")).Errors.Select(e => e.ToString()));
        Assert.Equal(
            [
                "spec.yaml:3:72: task.sweep.difficulty[1]: must be between 1 and 10 for task 'arithmetic' (the number of steps), not 0",
                "spec.yaml:3:75: task.sweep.difficulty[2]: 2 is listed twice (first at line 3, column 69); each value is an experiment of its own",
                "spec.yaml:3:78: task.sweep.difficulty[3]: expected a whole number, got 'x'",
            ],
            _bed.Parse(WithTask("{kind: arithmetic, train: 100, test: 10, sweep: {difficulty: [2, 0, 2, x]}}")).Errors.Select(e => e.ToString()));
        Assert.Equal(
            ["spec.yaml:3:71: task.sweep.test[1]: must be at least 1, not 0"],
            _bed.Parse(WithTask("{kind: arithmetic, difficulty: 2, train: 100, sweep: {test: [5, 0]}}")).Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void AnUnsweptSpecKeepsItsCanonicalText()
    {
        ExperimentSpec spec = _bed.Parse(WithTask("{kind: arithmetic, difficulty: 2, train: 100, test: 10}")).Spec!;

        Assert.Contains("task.kind: arithmetic\ntask.difficulty: 2\ntask.train: 100\ntask.test: 10\npolicy.", spec.CanonicalText);
    }
}
