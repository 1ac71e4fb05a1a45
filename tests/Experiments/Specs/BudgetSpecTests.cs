using Reasoning.Experiments.Specs;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary><c>budget:</c>, at the top of a spec (FLOPs per seed) and on strategy items (the option the runner sizes).</summary>
public sealed class BudgetSpecTests : IDisposable
{
    private readonly SpecTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static string With(string? budget, params string[] strategies) => Yaml(
        [
            "name: matched",
            "seeds: [1]",
            "task: {kind: arithmetic, difficulty: 2, train: 100, test: 10}",
            .. budget is null ? Array.Empty<string>() : [budget],
            "strategies:",
            "  - strategy: greedy",
            .. strategies,
        ]);

    [Fact]
    public void ABudgetAndTheOptionsItSizesAreReadWithTheirDefaults()
    {
        SpecLoadResult result = _bed.Parse(With(
            "budget: {flops: 2.5e12}",
            "  - label: sc",
            "    strategy: self-consistency",
            "    options: {temperature: 0.5}",
            "    budget: samples",
            "  - label: sc-capped",
            "    strategy: self-consistency",
            "    budget: {option: samples, max: 64, pilot: [1, 4]}"));

        Assert.Empty(result.Errors);
        ExperimentSpec spec = result.Spec!;
        Assert.Equal(new BudgetSpec(2.5e12, BudgetSection.DefaultCalibrationQuestions), spec.Budget);
        Assert.Null(spec.Strategies[0].Budget);
        Assert.Equal(new BudgetKnob("samples", 1, int.MaxValue, 2, 8), spec.Strategies[1].Budget); // the option's own range
        Assert.Equal(new BudgetKnob("samples", 1, 64, 1, 4), spec.Strategies[2].Budget);
        Assert.Contains("budget.flops: 2500000000000\nbudget.calibration_questions: 16\n", spec.CanonicalText);
        Assert.Contains("strategies[2].budget.option: samples\nstrategies[2].budget.max: 64\nstrategies[2].budget.pilot: [1, 4]\n", spec.CanonicalText);
        Assert.DoesNotContain("strategies[1].options.samples:", spec.CanonicalText); // sized by the budget, not set
    }

    [Fact]
    public void ASpecWithoutABudgetKeepsItsCanonicalText()
    {
        ExperimentSpec spec = _bed.Parse(With(null)).Spec!;

        Assert.Null(spec.Budget);
        Assert.DoesNotContain("budget", spec.CanonicalText);
    }

    [Fact]
    public void EveryMistakeInABudgetIsNamedWhereItIsWritten()
    {
        SpecLoadResult result = _bed.Parse(With(
            "budget: {flops: -1, calibration_questions: 0}",
            "  - label: a",
            "    strategy: self-consistency",
            "    budget: sample",
            "  - label: b",
            "    strategy: self-consistency",
            "    options: {samples: 4}",
            "    budget: samples",
            "  - label: c",
            "    strategy: self-consistency",
            "    budget: temperature",
            "  - label: d",
            "    strategy: self-consistency",
            "    budget: {option: samples, max: 0, pilot: [8, 2]}",
            "  - label: e",
            "    strategy: self-consistency",
            "    budget: [samples]"));

        Assert.Equal(
            [
                "spec.yaml:4:17: budget.flops: must be a positive number of FLOPs per seed (e.g. 1e13), not -1",
                "spec.yaml:4:44: budget.calibration_questions: must be at least 1, not 0",
                "spec.yaml:9:13: strategies[1].budget: unknown integer option 'sample'; did you mean 'samples'? allowed: samples, max_new_tokens",
                "spec.yaml:13:13: strategies[2].budget: 'samples' is sized by the budget, so it cannot also be set in options or swept",
                "spec.yaml:16:13: strategies[3].budget: unknown integer option 'temperature'; allowed: samples, max_new_tokens",
                "spec.yaml:19:36: strategies[4].budget.max: must be between 1 and 2147483647 (the range of 'samples'), not 0",
                "spec.yaml:19:46: strategies[4].budget.pilot: expected two increasing values of 'samples' between 1 and 2147483647, e.g. [2, 8]; got [8, 2]",
                "spec.yaml:22:13: strategies[5].budget: expected the integer option the budget sizes (samples, max_new_tokens), or a mapping with keys option, max, pilot; got a list",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void SizingAnOptionNeedsABudget()
    {
        SpecLoadResult result = _bed.Parse(With(null,
            "  - strategy: self-consistency",
            "    budget: samples"));

        Assert.Equal(
            ["spec.yaml:7:13: strategies[1].budget: sizes an option to the compute budget, but the spec has no top-level 'budget: {flops: ...}'"],
            result.Errors.Select(e => e.ToString()));
    }
}
