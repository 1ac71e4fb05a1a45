using Reasoning.Experiments.Specs;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>"Did you mean" suggestions for misspelt keys and names.</summary>
public sealed class NearestTests
{
    private static readonly string[] TaskKeys = ["kind", "type", "assembly", "difficulty", "train", "test", "sweep"];

    [Theory]
    [InlineData("difficuly", "difficulty")]   // a letter left out
    [InlineData("difficutly", "difficulty")]  // two letters swapped
    [InlineData("Train", "train")]            // case
    [InlineData("tset", "test")]
    [InlineData("assemby", "assembly")]
    public void ATypoSuggestsTheIntendedKey(string typo, string intended) => Assert.Equal(intended, Nearest.Match(typo, TaskKeys));

    [Theory]
    [InlineData("max_tokens", "max_new_tokens")]
    [InlineData("last", "last_step")]
    [InlineData("new_tokens", "max_new_tokens")]
    public void AKeyMissingAPartSuggestsTheFullKey(string word, string intended) =>
        Assert.Equal(intended, Nearest.Match(word, ["samples", "temperature", "top_p", "max_new_tokens", "mean_step", "last_step"]));

    [Theory]
    [InlineData("colour")]
    [InlineData("x")]
    [InlineData("validation")]
    public void NothingIsSuggestedWhenNothingIsClose(string word) => Assert.Null(Nearest.Match(word, TaskKeys));

    [Theory]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    public void DistanceCountsEditsAndSwaps(string a, string b, int distance) => Assert.Equal(distance, Nearest.Distance(a, b));

    [Fact]
    public void AMisspeltSpecKeyGetsTheSuggestionAndTheAllowedKeys()
    {
        using var bed = new SpecTestBed();

        SpecLoadResult result = bed.Parse(Yaml(
            "name: t",
            "seeds: [1]",
            "task:",
            "  kind: arithmetic",
            "  difficuly: 3",
            "  train: 10",
            "  test: 5",
            "strategies:",
            "  - strategy: greedy"));

        Assert.Equal(
            [
                "spec.yaml:4:3: task.difficulty: missing required key 'difficulty'",
                "spec.yaml:5:3: task.difficuly: unknown key 'difficuly'; did you mean 'difficulty'? allowed: kind, type, assembly, difficulty, train, test, sweep",
            ],
            result.Errors.Select(e => e.ToString()));
    }
}
