using Reasoning.Core.Options;
using Reasoning.Search.Mcts;
using Reasoning.Search.Mcts.Beam;

namespace Reasoning.Tests.Search;

/// <summary>The options follow the shared convention, so a strategy can bind them from YAML as they are.</summary>
public sealed class SearchOptionsTests
{
    [Fact]
    public void DefaultsAreValid()
    {
        Assert.Empty(OptionsSchema.Validate(new MctsOptions()));
        Assert.Empty(OptionsSchema.Validate(new BeamOptions()));
    }

    [Fact]
    public void KeysAreSnakeCase()
    {
        Assert.Equal(
            ["simulations", "candidates_per_expansion", "max_depth", "exploration_constant", "final_selection", "temperature"],
            OptionsSchema.Describe(typeof(MctsOptions)).Select(o => o.Key));
        Assert.Equal(["width", "expansions_per_beam", "max_depth"], OptionsSchema.Describe(typeof(BeamOptions)).Select(o => o.Key));
    }

    [Theory]
    [InlineData(double.NaN, 0.0, "exploration_constant")]
    [InlineData(1.25, double.NaN, "temperature")]
    public void NaNIsRejected(double explorationConstant, double temperature, string key) =>
        Assert.Contains(
            OptionsSchema.Validate(new MctsOptions { ExplorationConstant = explorationConstant, Temperature = temperature }),
            e => e.Key == key);
}
