using Reasoning.Experiments.Specs;
using Reasoning.Policy.Strategies;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>Binding YAML mappings onto options classes, with located errors.</summary>
public sealed class OptionsBinderTests
{
    private static (object? Options, IReadOnlyList<SpecError> Errors) Bind(Type type, string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        YamlNode? node = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        var errors = new SpecErrors("o.yaml");
        object? options = OptionsBinder.Bind(type, node, "opts", new Mark(0, 1, 1), errors);
        return (options, errors.Sorted());
    }

    [Fact]
    public void NoMappingMeansEveryDefault()
    {
        var errors = new SpecErrors("o.yaml");
        object? options = OptionsBinder.Bind(typeof(SelfConsistencyOptions), null, "opts", new Mark(0, 4, 2), errors);

        Assert.Equal(0, errors.Count);
        var sc = Assert.IsType<SelfConsistencyOptions>(options);
        Assert.Equal((8, 0.8, 1.0, 128), (sc.Samples, sc.Temperature, sc.TopP, sc.MaxNewTokens));
    }

    [Fact]
    public void EverySupportedTypeBinds()
    {
        var (options, errors) = Bind(typeof(EveryTypeOptions), string.Join('\n',
            "whole: -3", "big: 9000000000", "real: 3e-3", "single: 0.5", "flag: TRUE", "text: hello", "mode: last_step",
            "maybe_whole: ~", "maybe_real: 2", "whole_list: [1, 2]", "long_list: [5]", "real_list: [0.5, 1e2]", "text_list: [a, 'b c']", "array: [7]"));

        Assert.Empty(errors);
        var o = Assert.IsType<EveryTypeOptions>(options);
        Assert.Equal((-3, 9_000_000_000L, 3e-3, 0.5f, true, "hello", FakeScoring.LastStep), (o.Whole, o.Big, o.Real, o.Single, o.Flag, o.Text, o.Mode));
        Assert.Null(o.MaybeWhole);
        Assert.Equal(2.0, o.MaybeReal);
        Assert.Equal([1, 2], o.WholeList);
        Assert.Equal([5L], o.LongList);
        Assert.Equal([0.5, 100.0], o.RealList);
        Assert.Equal(["a", "b c"], o.TextList);
        Assert.Equal([7], o.Array);
    }

    [Theory]
    [InlineData("whole: 1.5", 1, 8, "opts.whole", "expected a whole number, got '1.5'")]
    [InlineData("whole: 3000000000", 1, 8, "opts.whole", "expected a whole number from -2147483648 to 2147483647, got '3000000000'")]
    [InlineData("real: '0.5'", 1, 7, "opts.real", "expected a number, got the quoted text '0.5' (write numbers and booleans without quotes)")]
    [InlineData("real: .nan", 1, 7, "opts.real", "expected a number, got '.nan'")]
    [InlineData("flag: yes", 1, 7, "opts.flag", "expected true or false, got 'yes'")]
    [InlineData("mode: last", 1, 7, "opts.mode", "expected one of mean_step, last_step, got 'last'; did you mean 'last_step'?")]
    [InlineData("whole_list: [1, x]", 1, 17, "opts.whole_list[1]", "expected a whole number, got 'x'")]
    [InlineData("whole_list: 3", 1, 13, "opts.whole_list", "expected a list of whole numbers, got '3'")]
    [InlineData("whole:", 1, 7, "opts.whole", "expected a whole number, got nothing")]
    [InlineData("text: [a]", 1, 7, "opts.text", "expected text, got a list")]
    [InlineData("maybe_whole: {a: 1}", 1, 14, "opts.maybe_whole", "expected a whole number, got a mapping")]
    [InlineData("whole: 1\nbig: 2\nwhoel: 3", 3, 1, "opts.whoel", "unknown key 'whoel'; did you mean 'whole'? allowed: whole, big, real, single, flag, text, mode, maybe_whole, maybe_real, whole_list, long_list, real_list, text_list, array")]
    public void ABadValueIsReportedAtItsNode(string yaml, int line, int column, string key, string message)
    {
        var (_, errors) = Bind(typeof(EveryTypeOptions), yaml);

        SpecError error = Assert.Single(errors);
        Assert.Equal(("o.yaml", line, column, key, message), (error.Location.File, error.Location.Line, error.Location.Column, error.Key, error.Message));
    }

    [Fact]
    public void ValidationErrorsPointAtTheValueOrTheMapping()
    {
        var (_, errors) = Bind(typeof(SelfConsistencyOptions), "samples: 0\ntemperature: -1\n");

        Assert.Equal(
            ["o.yaml:1:10: opts.samples: must be at least 1, not 0", "o.yaml:2:14: opts.temperature: must be greater than 0, not -1"],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ACrossOptionRuleIsReportedAtItsKeyOrTheMapping()
    {
        var (_, errors) = Bind(typeof(RangeOptions), "  low: 5\n  high: 2\n");

        Assert.Equal(["o.yaml:2:9: opts.high: high (2) must not be below low (5)"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void AValueThatCannotBeBoundIsNotAlsoReportedAsOutOfRange()
    {
        var (_, errors) = Bind(typeof(ModelSizesOptions), "dimension: x\nlayers: 1\nheads: 1\nkv_heads: 1\n");

        Assert.Equal(
            [
                "o.yaml:1:1: opts.hidden_dimension: missing required key 'hidden_dimension'",
                "o.yaml:1:12: opts.dimension: expected a whole number, got 'x'",
            ],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ATypeWithoutAParameterlessConstructorIsAnErrorNotAnException()
    {
        var errors = new SpecErrors("o.yaml");

        Assert.Null(OptionsBinder.Bind(typeof(Uri), null, "opts", new Mark(0, 3, 5), errors));
        Assert.Contains("needs a public parameterless constructor", errors.Sorted().Single().Message);
        Assert.Equal(3, errors.Sorted().Single().Location.Line);
    }

    [Fact]
    public void TheStandaloneOverloadReturnsTheOptionsAndTheErrors()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("\n\n  samples: 3\n  top_p: 0\n"));

        OptionsBinding binding = OptionsBinder.Bind(typeof(SelfConsistencyOptions), (YamlMappingNode)stream.Documents[0].RootNode, "sc.yaml", "options");

        Assert.False(binding.IsValid);
        Assert.Equal(3, Assert.IsType<SelfConsistencyOptions>(binding.Options).Samples);
        Assert.Equal("sc.yaml:4:10: options.top_p: must be in (0, 1], not 0", Assert.Single(binding.Errors).ToString());
        Assert.True(OptionsBinder.Bind(typeof(GreedyOptions), null, "g.yaml", "options").IsValid);
    }

    [Fact]
    public void NotAMappingIsReportedWithTheAllowedKeys()
    {
        var (_, errors) = Bind(typeof(GreedyOptions), "[1, 2]");

        Assert.Equal("o.yaml:1:1: opts: expected a mapping of options (max_new_tokens), got a list", Assert.Single(errors).ToString());
    }

    public sealed class EveryTypeOptions
    {
        public int Whole { get; set; }
        public long Big { get; set; }
        public double Real { get; set; }
        public float Single { get; set; }
        public bool Flag { get; set; }
        public string Text { get; set; } = "";
        public FakeScoring Mode { get; set; }
        public int? MaybeWhole { get; set; } = 1;
        public double? MaybeReal { get; set; }
        public IReadOnlyList<int> WholeList { get; set; } = [];
        public IReadOnlyList<long> LongList { get; set; } = [];
        public IReadOnlyList<double> RealList { get; set; } = [];
        public IReadOnlyList<string> TextList { get; set; } = [];
        public int[] Array { get; set; } = [];
    }

    public sealed class RangeOptions : System.ComponentModel.DataAnnotations.IValidatableObject
    {
        public int Low { get; set; }
        public int High { get; set; }

        public IEnumerable<System.ComponentModel.DataAnnotations.ValidationResult> Validate(System.ComponentModel.DataAnnotations.ValidationContext validationContext)
        {
            if (High < Low)
            {
                yield return new System.ComponentModel.DataAnnotations.ValidationResult($"high ({High}) must not be below low ({Low})", [nameof(High)]);
            }
        }
    }
}
