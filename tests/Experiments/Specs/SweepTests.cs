using Reasoning.Experiments.Specs;
using Reasoning.Policy.Strategies;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>A strategy item's <c>sweep:</c>: one strategy per combination of values, labelled by them, checked like written-out items.</summary>
public sealed class SweepTests : IDisposable
{
    private readonly SpecTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static string With(params string[] strategies) => Yaml(
        [
            "name: sweep",
            "seeds: [1]",
            "task: {kind: arithmetic, difficulty: 2, train: 100, test: 10}",
            "strategies:",
            "  - strategy: greedy",
            .. strategies,
        ]);

    [Fact]
    public void OneKeyGivesOneLabelledStrategyPerValueWithTheOtherOptionsShared()
    {
        SpecLoadResult result = _bed.Parse(With(
            "  - strategy: self-consistency",
            "    options: {temperature: 0.5}",
            "    sweep: {samples: [1, 4, 16]}"));

        Assert.Empty(result.Errors);
        var swept = result.Spec!.Strategies.Skip(1).ToList();
        Assert.Equal(["self-consistency.samples-1", "self-consistency.samples-4", "self-consistency.samples-16"], swept.Select(s => s.Label));
        Assert.Equal([1, 4, 16], swept.Select(s => ((SelfConsistencyOptions)s.Options).Samples));
        Assert.All(swept, s => Assert.Equal(0.5, ((SelfConsistencyOptions)s.Options).Temperature));
        Assert.All(swept, s => Assert.Equal("self-consistency", s.Strategy));
    }

    [Fact]
    public void TwoKeysGiveEveryCombinationTheFirstKeyVaryingSlowest()
    {
        SpecLoadResult result = _bed.Parse(With(
            "  - label: sc",
            "    strategy: self-consistency",
            "    sweep:",
            "      samples: [2, 4]",
            "      temperature: [0.5, 1.0]"));

        Assert.Empty(result.Errors);
        Assert.Equal(
            ["greedy", "sc.samples-2.temperature-0.5", "sc.samples-2.temperature-1.0", "sc.samples-4.temperature-0.5", "sc.samples-4.temperature-1.0"],
            result.Spec!.Strategies.Select(s => s.Label));
        var last = (SelfConsistencyOptions)result.Spec.Strategies[^1].Options;
        Assert.Equal((4, 1.0), (last.Samples, last.Temperature));
    }

    [Fact]
    public void ASweepIsTheSameExperimentAsItsItemsWrittenOut()
    {
        SpecLoadResult swept = _bed.Parse(With(
            "  - strategy: self-consistency",
            "    sweep: {samples: [2, 8]}"));
        SpecLoadResult written = _bed.Parse(With(
            "  - label: self-consistency.samples-2",
            "    strategy: self-consistency",
            "    options: {samples: 2}",
            "  - label: self-consistency.samples-8",
            "    strategy: self-consistency",
            "    options: {samples: 8}"));

        Assert.Equal(written.Spec!.CanonicalText, swept.Spec!.CanonicalText);
        Assert.Equal(written.Spec.Hash, swept.Spec.Hash);
    }

    [Fact]
    public void EveryMistakeInASweepIsNamedWhereItIsWritten()
    {
        SpecLoadResult result = _bed.Parse(With(
            "  - label: a",
            "    strategy: self-consistency",
            "    sweep: {sample: [1, 2]}",
            "  - label: b",
            "    strategy: self-consistency",
            "    options: {samples: 4}",
            "    sweep: {samples: [1, 2]}",
            "  - label: c",
            "    strategy: self-consistency",
            "    sweep: {samples: 4}",
            "  - label: d",
            "    strategy: self-consistency",
            "    sweep: {samples: [0, 4, -1]}",
            "  - label: e",
            "    strategy: self-consistency",
            "    sweep: {samples: [4, 4]}",
            "  - label: f",
            "    strategy: self-consistency",
            "    sweep: [samples]"));

        Assert.Equal(
            [
                "spec.yaml:8:13: strategies[1].sweep.sample: unknown key 'sample'; did you mean 'samples'? allowed: samples, temperature, top_p, max_new_tokens",
                "spec.yaml:12:13: strategies[2].sweep.samples: 'samples' is both set in options and swept; keep it in one place",
                "spec.yaml:15:22: strategies[3].sweep.samples: expected a non-empty list of values to sweep, got '4'",
                "spec.yaml:18:23: strategies[4].sweep.samples[0]: must be at least 1, not 0",
                "spec.yaml:18:29: strategies[4].sweep.samples[2]: must be at least 1, not -1",
                "spec.yaml:21:22: strategies[5].sweep.samples: lists a value twice; each value gives a row of its own",
                "spec.yaml:24:12: strategies[6].sweep: expected a mapping of option keys to lists of values (e.g. samples: [1, 4, 16]), got a list",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void AMistakeOutsideTheSweptKeysIsReportedOnceNotOncePerCombination()
    {
        SpecLoadResult result = _bed.Parse(With(
            "  - label: a",
            "    strategy: self-consistency",
            "    options: {temprature: 0.5}",
            "    sweep: {samples: [1, 2, 4]}"));

        Assert.Single(result.Errors, e => e.Message.StartsWith("unknown key 'temprature'", StringComparison.Ordinal));
    }
}
