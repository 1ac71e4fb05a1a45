using Reasoning.Experiments.Specs;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>Each class of spec problem, placed at the exact line, column and key path.</summary>
public sealed class SpecErrorTests : IDisposable
{
    private const string TopKeys = "name, seeds, device, precision, threads, max_batch_size, output, snapshot_every, task, policy, budget, strategies";

    private readonly SpecTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    /// <summary>A valid spec of nine lines; <paramref name="strategies"/>, when given, replace its one item (from line 9 on).</summary>
    private static string Valid(params string[] strategies) => Yaml(
        [
            "name: t",                   // 1
            "seeds: [1]",                // 2
            "task:",                     // 3
            "  kind: arithmetic",        // 4
            "  difficulty: 3",           // 5
            "  train: 10",               // 6
            "  test: 5",                 // 7
            "strategies:",               // 8
            .. (strategies.Length > 0 ? strategies : ["  - strategy: greedy"]), // 9...
        ]);

    public static TheoryData<string, string, int, int, string, string> Problems => new()
    {
        // name, yaml, line, column, key, message
        { "syntax", Yaml("name: t: x", "seeds: [1]"), 1, 8, "", "YAML syntax error: While scanning a plain scalar value, found invalid mapping." },
        { "empty", "", 1, 1, "", $"the spec is empty; expected a mapping with keys {TopKeys}" },
        { "only a comment", Yaml("# nothing yet"), 1, 1, "", $"the spec is empty; expected a mapping with keys {TopKeys}" },
        { "top level is a list", Yaml("- name: t", "- seeds: [1]"), 1, 1, "", $"expected a mapping with keys {TopKeys}, got a list" },
        { "top level is text", Yaml("quickstart"), 1, 1, "", $"expected a mapping with keys {TopKeys}, got 'quickstart'" },
        { "unknown key, near", Valid() + "nmae: x\n", 10, 1, "nmae", $"unknown key 'nmae'; did you mean 'name'? allowed: {TopKeys}" },
        { "unknown key, far", Valid() + "colour: red\n", 10, 1, "colour", $"unknown key 'colour'; allowed: {TopKeys}" },
        { "unknown option", Valid("  - strategy: greedy", "    options: {max_tokens: 5}"), 10, 15, "strategies[0].options.max_tokens", "unknown key 'max_tokens'; did you mean 'max_new_tokens'? allowed: max_new_tokens" },
        { "duplicate key", Valid() + "seeds: [2]\n", 10, 1, "seeds", "duplicate key 'seeds' (first at line 2); the first one is used" },
        { "duplicate option", Valid("  - strategy: self-consistency", "    options:", "      samples: 4", "      samples: 5"), 12, 7, "strategies[0].options.samples", "duplicate key 'samples' (first at line 11); the first one is used" },
        { "wrong type", Valid().Replace("difficulty: 3", "difficulty: three"), 5, 15, "task.difficulty", "expected a whole number, got 'three'" },
        { "quoted number", Valid().Replace("train: 10", "train: \"10\""), 6, 10, "task.train", "expected a whole number, got the quoted text '10' (write numbers and booleans without quotes)" },
        { "real for whole", Valid().Replace("test: 5", "test: 5.5"), 7, 9, "task.test", "expected a whole number, got '5.5'" },
        { "mapping for text", Valid().Replace("name: t", "name: {first: t}"), 1, 7, "name", "expected text, got a mapping" },
        { "seeds not a list", Valid().Replace("seeds: [1]", "seeds: 1"), 2, 8, "seeds", "expected a list of whole numbers, got '1'" },
        { "seed not a number", Valid().Replace("seeds: [1]", "seeds: [1, x]"), 2, 12, "seeds[1]", "expected a whole number, got 'x'" },
        { "option out of range", Valid("  - strategy: self-consistency", "    options: {samples: 0}"), 10, 24, "strategies[0].options.samples", "must be at least 1, not 0" },
        { "option out of range, exclusive", Valid("  - strategy: self-consistency", "    options:", "      top_p: 1.5"), 11, 14, "strategies[0].options.top_p", "must be in (0, 1], not 1.5" },
        { "difficulty outside the task's range", Valid().Replace("difficulty: 3", "difficulty: 11"), 5, 15, "task.difficulty", "must be between 1 and 10 for task 'arithmetic' (the number of steps), not 11" },
        { "count below one", Valid().Replace("train: 10", "train: 0"), 6, 10, "task.train", "must be at least 1, not 0" },
        { "threads below zero", Valid() + "threads: -1\n", 10, 10, "threads", "must be 0 (default) or more, not -1" },
        { "unknown device", Valid() + "device: gpu\n", 10, 9, "device", "'gpu' is not one of auto, cpu, cuda" },
        { "bad name", Valid().Replace("name: t", "name: Quick Start"), 1, 7, "name", "'Quick Start' is not a valid name: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (it names folders)" },
        { "negative seed", Valid().Replace("seeds: [1]", "seeds: [1, -2]"), 2, 12, "seeds[1]", "must be 0 or more, not -2" },
        { "repeated seed", Valid().Replace("seeds: [1]", "seeds: [1, 2, 1]"), 2, 15, "seeds[2]", "seed 1 is listed twice (first at line 2, column 9); seeds must be distinct" },
        { "no seeds", Valid().Replace("seeds: [1]", "seeds: []"), 2, 8, "seeds", "must list at least one seed, e.g. [1, 2, 3]" },
        { "unknown task", Valid().Replace("kind: arithmetic", "kind: arithmatic"), 4, 9, "task.kind", "unknown task 'arithmatic'; did you mean 'arithmetic'? known tasks: arithmetic, countdown, shortest-path" },
        { "task not a mapping", Yaml("name: t", "seeds: [1]", "task: arithmetic", "strategies:", "  - strategy: greedy"), 3, 7, "task", "expected a mapping with keys kind, type, assembly, difficulty, train, test, sweep, got 'arithmetic'" },
        { "unknown strategy", Valid("  - strategy: greedyy"), 9, 15, "strategies[0].strategy", "unknown strategy 'greedyy'; did you mean 'greedy'? known strategies: greedy, self-consistency, explodes" },
        { "duplicate label", Valid("  - strategy: greedy", "  - strategy: greedy"), 10, 5, "strategies[1].label", "duplicate label 'greedy' (first used at line 9); labels must be unique (set 'label' to tell them apart)" },
        { "duplicate label, given", Valid("  - label: a", "    strategy: greedy", "  - label: A", "    strategy: self-consistency"), 11, 12, "strategies[1].label", "duplicate label 'A' (first used at line 9); labels must be unique (set 'label' to tell them apart)" },
        { "reserved label", Valid("  - label: base-policy", "    strategy: greedy"), 9, 12, "strategies[0].label", "'base-policy' is reserved for the base policy's rows; choose another label" },
        { "bad label", Valid("  - label: my label", "    strategy: greedy"), 9, 12, "strategies[0].label", "'my label' is not a valid label: use letters, digits, '.', '_' and '-', starting with a letter or digit" },
        { "missing required key", Valid().Replace("  difficulty: 3\n", ""), 4, 3, "task.difficulty", "missing required key 'difficulty'" },
        { "missing top-level key", Valid().Replace("name: t\n", ""), 1, 1, "name", "missing required key 'name'" },
        { "missing size", Valid() + "policy:\n  sizes: {dimension: 64, layers: 2, heads: 4, kv_heads: 2}\n", 11, 10, "policy.sizes.hidden_dimension", "missing required key 'hidden_dimension'" },
        { "no strategies", Valid().Replace("strategies:\n  - strategy: greedy\n", "strategies: []\n"), 8, 13, "strategies", "must list at least one strategy" },
        { "strategy and type", Valid("  - strategy: greedy", "    type: Acme.Search.BeamSearch", "    assembly: plugins/acme.dll"), 10, 5, "strategies[0].type", "give either 'strategy' (a registered strategy: greedy, self-consistency, explodes) or 'type' + 'assembly' (a plug-in), not both" },
        { "neither strategy nor type", Valid("  - label: lonely"), 9, 5, "strategies[0].strategy", "missing required key 'strategy' (a registered strategy: greedy, self-consistency, explodes) or 'type' + 'assembly' (a plug-in)" },
        { "type without assembly", Valid("  - type: Acme.Search.BeamSearch"), 9, 5, "strategies[0].assembly", "missing required key 'assembly' (the plug-in's .dll, relative to the spec's folder)" },
        { "kind and type", Valid().Replace("  kind: arithmetic\n", "  kind: arithmetic\n  type: Acme.Tasks.Parity\n  assembly: plugins/acme.dll\n"), 5, 3, "task.type", "give either 'kind' (a registered task: arithmetic, countdown, shortest-path) or 'type' + 'assembly' (a plug-in), not both" },
        { "preset and sizes", Valid() + "policy:\n  preset: small\n  sizes: {dimension: 64, layers: 2, heads: 4, kv_heads: 2, hidden_dimension: 128}\n", 12, 3, "policy.sizes", "give either 'preset' or 'sizes', not both" },
        { "unknown preset", Valid() + "policy:\n  preset: smal\n", 11, 11, "policy.preset", "'smal' is not one of tiny, small; did you mean 'small'?" },
        { "sizes the model cannot take", Valid() + "policy:\n  sizes: {dimension: 64, layers: 2, heads: 4, kv_heads: 3, hidden_dimension: 128}\n", 11, 10, "policy.sizes", "invalid transformer config: heads 4 must be a multiple of kv heads 3" },
        { "fine-tuning out of range", Valid() + "policy:\n  fine_tuning:\n    learning_rate: 0\n", 12, 20, "policy.fine_tuning.learning_rate", "must be greater than 0, not 0" },
        { "strategy plug-in missing type", Valid("  - type: Acme.Nope", "    assembly: plugins/acme.dll"), 9, 11, "strategies[0].type", "could not load strategy plug-in 'Acme.Nope' from '{folder}/plugins/acme.dll': no public IStrategy type 'Acme.Nope' in acme.dll" },
        { "strategy plug-in missing file", Valid("  - type: Acme.Search.BeamSearch", "    assembly: ../elsewhere/acme.dll"), 9, 11, "strategies[0].type", "could not load strategy plug-in 'Acme.Search.BeamSearch' from '{parent}/elsewhere/acme.dll': assembly file not found: {parent}/elsewhere/acme.dll" },
        { "task plug-in missing type", Valid().Replace("  kind: arithmetic\n", "  type: Acme.Tasks.Nope\n  assembly: plugins/acme.dll\n"), 4, 9, "task.type", "could not load task plug-in 'Acme.Tasks.Nope' from '{folder}/plugins/acme.dll': no public IReasoningTask type 'Acme.Tasks.Nope' in acme.dll" },
        { "constructor throws", Valid("  - strategy: explodes", "    options: {width: 3}"), 9, 5, "strategies[0]", "constructing strategy explodes threw: width 3 is not supported here" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void EachProblemIsReportedAtItsNodeWithItsKeyPath(string problem, string yaml, int line, int column, string key, string message)
    {
        SpecLoadResult result = _bed.Parse(yaml);

        Assert.False(result.IsValid, problem);
        Assert.Null(result.Spec);
        SpecError error = Assert.Single(result.Errors);
        string expected = message.Replace("{folder}", _bed.Folder).Replace("{parent}", Path.GetDirectoryName(_bed.Folder));
        Assert.Equal((SpecTestBed.FileName, line, column, key, expected), (error.Location.File, error.Location.Line, error.Location.Column, error.Key, error.Message));
    }

    [Fact]
    public void AnUnclosedListIsASyntaxErrorWhereParsingStopped()
    {
        SpecLoadResult result = _bed.Parse(Yaml("name: t", "seeds: [1, 2", "task: x"));

        SpecError error = Assert.Single(result.Errors);
        Assert.StartsWith("YAML syntax error", error.Message);
        Assert.Equal("", error.Key);
        Assert.InRange(error.Location.Line, 2, 3);
    }

    [Fact]
    public void EveryProblemIsReportedInOnePassSortedByPosition()
    {
        string yaml = Yaml(
            "name: t",
            "seeds: [1, 1]",                 // 2: repeated seed
            "device: gpu",                   // 3: unknown device
            "task:",
            "  kind: arithmetic",
            "  difficulty: 99",              // 6: out of the task's range
            "  train: ten",                  // 7: wrong type
            "strategies:",                   // (test is missing: reported at the task mapping, line 5)
            "  - strategy: self-consistency",
            "    options: {samples: 0, top_p: 2, temprature: 1}",
            "  - strategy: nope");           // 11: unknown strategy

        SpecLoadResult result = _bed.Parse(yaml);

        Assert.Equal(
            [
                "spec.yaml:2:12: seeds[1]: seed 1 is listed twice (first at line 2, column 9); seeds must be distinct",
                "spec.yaml:3:9: device: 'gpu' is not one of auto, cpu, cuda",
                "spec.yaml:5:3: task.test: missing required key 'test'",
                "spec.yaml:6:15: task.difficulty: must be between 1 and 10 for task 'arithmetic' (the number of steps), not 99",
                "spec.yaml:7:10: task.train: expected a whole number, got 'ten'",
                "spec.yaml:10:24: strategies[0].options.samples: must be at least 1, not 0",
                "spec.yaml:10:34: strategies[0].options.top_p: must be in (0, 1], not 2",
                "spec.yaml:10:37: strategies[0].options.temprature: unknown key 'temprature'; did you mean 'temperature'? allowed: samples, temperature, top_p, max_new_tokens",
                "spec.yaml:11:15: strategies[1].strategy: unknown strategy 'nope'; known strategies: greedy, self-consistency, explodes",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void AMissingFileIsAnErrorNamingThePath()
    {
        string path = Path.Combine(_bed.Folder, "absent.yaml");

        SpecLoadResult result = SpecLoader.Load(path, _bed.Catalog);

        SpecError error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Location.File);
        Assert.StartsWith("cannot read the spec file: ", error.Message);
        Assert.Contains("absent.yaml", error.Message);
    }

    [Fact]
    public void ASyntaxErrorRendersWithoutAKey() =>
        Assert.Equal("spec.yaml:1:8: YAML syntax error: While scanning a plain scalar value, found invalid mapping.", _bed.Parse("name: t: x\n").Errors.Single().ToString());
}
