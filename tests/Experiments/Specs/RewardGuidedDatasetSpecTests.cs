using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Specs;
using Reasoning.Search.Mcts.BestOfN;
using Reasoning.Search.Mcts.Strategies;
using Reasoning.Tests.Core.Jsonl;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>
/// The reward-guided strategies on a dataset: their options say when they need the task's step checker (exact labels,
/// the default), so a spec is refused when it is read, not when the unit runs.
/// </summary>
public sealed class RewardGuidedDatasetSpecTests : IDisposable
{
    private readonly SpecTestBed _bed = new();
    private readonly SpecCatalog _catalog;

    public RewardGuidedDatasetSpecTests()
    {
        Directory.CreateDirectory(Path.Combine(_bed.Folder, "data"));
        File.Copy(DatasetFiles.Gsm8kStyle, Path.Combine(_bed.Folder, "data", "gsm.jsonl"));
        _catalog = new SpecCatalog(TaskRegistry.CreateDefault(), [BestOfNStrategy.Descriptor, BeamStrategy.Descriptor, PrmMctsStrategy.Descriptor], _bed.Loader);
    }

    public void Dispose() => _bed.Dispose();

    private SpecLoadResult Parse(string strategy, string? options) => SpecLoader.Parse(
        Yaml(
        [
            "name: t",
            "seeds: [1]",
            "task: {kind: jsonl, path: data/gsm.jsonl, question: question, answer: answer, answer_format: gsm8k, train: 20, test: 5}",
            "strategies:",
            $"  - strategy: {strategy}",
            .. (options is null ? Array.Empty<string>() : [$"    options: {options}"]),
        ]),
        FileName, _bed.Folder, _catalog);

    [Theory]
    [InlineData("best-of-n")]
    [InlineData("beam")]
    [InlineData("prm-mcts")]
    public void ExactLabelsTheDefaultAreRefusedAndMonteCarloLabelsAccepted(string strategy)
    {
        foreach (string? options in new[] { null, "{labels: exact}" })
        {
            SpecError error = Assert.Single(Parse(strategy, options).Errors);
            Assert.Contains($"strategy {strategy} needs the task's step checker with these options (exact step labels, the default), but task 'jsonl:gsm.jsonl' has none", error.ToString());
            Assert.EndsWith("(labels: monte_carlo)", error.ToString());
        }

        SpecLoadResult monteCarlo = Parse(strategy, "{labels: monte_carlo, rollouts: 2}");
        Assert.True(monteCarlo.IsValid, string.Join("\n", monteCarlo.Errors));
    }

    [Fact]
    public void PlainMajorityTrainsNoRewardModelSoNeedsNoStepChecker()
    {
        SpecLoadResult result = Parse("best-of-n", "{selection: majority}");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.False(((IRequiresStepChecker)result.Spec!.Strategies[0].Options).RequiresStepChecker);
    }

    [Fact]
    public void TheOptionsSayWhenTheyNeedAStepChecker()
    {
        Assert.True(new BeamStrategyOptions().RequiresStepChecker); // exact labels are the default
        Assert.False(new MctsStrategyOptions { Labels = StepLabelSource.MonteCarlo }.RequiresStepChecker);
        Assert.True(new BestOfNStrategyOptions { Selection = BestOfNMode.WeightedMajority }.RequiresStepChecker);
        Assert.False(new BestOfNStrategyOptions { Selection = BestOfNMode.Majority }.RequiresStepChecker);
    }
}
