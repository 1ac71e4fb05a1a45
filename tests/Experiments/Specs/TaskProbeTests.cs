using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Specs;
using Reasoning.Tests.Core;
using static Reasoning.Tests.Experiments.Specs.SpecTestBed;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>validate finds what run would die on once started: too few distinct problems, an alphabet gap, a task that throws, a plug-in under a built-in's name.</summary>
public sealed class TaskProbeTests : IDisposable
{
    private readonly SpecTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static string Spec(string task, string strategy = "  - strategy: greedy") => Yaml(
        "name: t",          // 1
        "seeds: [1, 2]",    // 2
        "task:",            // 3
        task,               // 4-...
        "strategies:",
        strategy);

    [Fact]
    public void ATaskThatCannotGiveTrainPlusTestDistinctProblemsIsAnErrorAtTrainWithTheNumberFound()
    {
        // Arithmetic at difficulty 1 is a op b with a, b in 1..20: '+' on all 400 ordered pairs, '-' on the 210 with
        // a >= b, '*' on the 223 with a*b <= 99 (20+20+20+20+19+16+14+12+11+9+9+8+7+7+6+6+5+5+5+4 for a = 1..20):
        // 833 problems. The 5 test problems leave 828 for train.
        SpecLoadResult result = _bed.Parse(Spec(Yaml("  kind: arithmetic", "  difficulty: 1", "  train: 2000", "  test: 5").TrimEnd('\n')));
        SpecError error = Assert.Single(result.Errors);
        Assert.Equal(("spec.yaml", 6, 10, "task.train"), (error.Location.File, error.Location.Line, error.Location.Column, error.Key));
        Assert.StartsWith("task 'arithmetic' at difficulty 1 gave only 828 new distinct problems of the 2000 the train split needs in 101000 draws (833 taken in all)", error.Message);
        Assert.EndsWith("(seed 1, found by drawing the split as run does)", error.Message);
    }

    [Fact]
    public void TooManyTestProblemsIsAnErrorAtTestAndASweptValueAtItsList()
    {
        SpecError test = Assert.Single(_bed.Parse(Spec(Yaml("  kind: arithmetic", "  difficulty: 1", "  train: 10", "  test: 900").TrimEnd('\n'))).Errors);
        Assert.Equal((7, "task.test"), (test.Location.Line, test.Key));
        Assert.Contains("gave only 833 new distinct problems of the 900 the test split needs", test.Message);

        SpecError swept = Assert.Single(_bed.Parse(Spec(Yaml("  kind: arithmetic", "  difficulty: 1", "  test: 5", "  sweep: {train: [100, 2000]}").TrimEnd('\n'))).Errors);
        Assert.Equal((7, 18, "task.sweep.train"), (swept.Location.Line, swept.Location.Column, swept.Key));
        Assert.Contains("gave only 828 new distinct problems of the 2000 the train split needs", swept.Message);
    }

    [Fact]
    public void ATaskWhoseAlphabetMissesACharacterItUsesIsAnErrorAtItsType()
    {
        _bed.Loader.Tasks["Acme.Tasks.Gappy"] = new Reshaped(TaskRegistry.CreateDefault().Get("arithmetic"), name: "gappy", alphabet: "0123456789+-()="); // no '*'
        SpecLoadResult result = _bed.Parse(Spec(Yaml("  type: Acme.Tasks.Gappy", "  assembly: plugins/acme.dll", "  difficulty: 2", "  train: 50", "  test: 10").TrimEnd('\n')));
        SpecError error = Assert.Single(result.Errors);
        Assert.Equal((4, 9, "task.type"), (error.Location.Line, error.Location.Column, error.Key));
        Assert.Contains("task 'gappy''s Alphabet does not cover problem ", error.Message);
        Assert.Contains("the tokenizer cannot encode '*'", error.Message);
    }

    [Fact]
    public void ATaskThatThrowsWhileMakingProblemsIsAnErrorNotAStackTrace()
    {
        _bed.Loader.Tasks["Acme.Tasks.Broken"] = new Reshaped(new ParityTask(), name: "broken", generate: (_, _) => throw new InvalidOperationException("no problems today"));
        SpecError error = Assert.Single(_bed.Parse(Spec(Yaml("  type: Acme.Tasks.Broken", "  assembly: plugins/acme.dll", "  difficulty: 2", "  train: 5", "  test: 5").TrimEnd('\n'))).Errors);
        Assert.Equal((4, "task.type"), (error.Location.Line, error.Key));
        Assert.Equal("task 'broken' failed while making the problems of seed 1: InvalidOperationException: no problems today", error.Message);
    }

    [Fact]
    public void APlugInTaskOrStrategyUnderABuiltInNameIsAnError()
    {
        _bed.Loader.Tasks["Acme.Tasks.Impostor"] = new Reshaped(new ParityTask(), name: "arithmetic");
        SpecError task = Assert.Single(_bed.Parse(Spec(Yaml("  type: Acme.Tasks.Impostor", "  assembly: plugins/acme.dll", "  difficulty: 2", "  train: 5", "  test: 5").TrimEnd('\n'))).Errors);
        Assert.Equal((4, 9, "task.type"), (task.Location.Line, task.Location.Column, task.Key));
        Assert.Equal("the plug-in task 'Acme.Tasks.Impostor' is named 'arithmetic', which is a built-in task's name; give it a name of its own (its Name property)", task.Message);

        _bed.Loader.Strategies["Acme.Search.Greedy"] = StrategyDescriptor.For<Reasoning.Policy.Strategies.GreedyOptions>("greedy", "a second greedy", _ => throw new InvalidOperationException());
        SpecError strategy = Assert.Single(_bed.Parse(Spec(
            Yaml("  kind: arithmetic", "  difficulty: 2", "  train: 5", "  test: 5").TrimEnd('\n'),
            Yaml("  - type: Acme.Search.Greedy", "    assembly: plugins/acme.dll").TrimEnd('\n'))).Errors);
        Assert.Equal("strategies[0].type", strategy.Key);
        Assert.Equal("the plug-in strategy 'Acme.Search.Greedy' is named 'greedy', which is a built-in strategy's name; give it a name of its own", strategy.Message);
    }

    [Fact]
    public void AProblemFreeSpecDrawsWithoutComplaint()
    {
        Assert.Empty(_bed.Parse(Spec(Yaml("  kind: arithmetic", "  difficulty: 2", "  train: 200", "  test: 20").TrimEnd('\n'))).Errors);
    }

    /// <summary>A task like another but for its name, alphabet or problem maker.</summary>
    private sealed class Reshaped(IReasoningTask inner, string name, string? alphabet = null, Func<int, DeterministicRandom, Problem>? generate = null) : IReasoningTask
    {
        public string Name => name;

        public string Description => inner.Description;

        public int MinDifficulty => inner.MinDifficulty;

        public int MaxDifficulty => inner.MaxDifficulty;

        public string Alphabet => alphabet ?? inner.Alphabet;

        public Problem Generate(int difficulty, DeterministicRandom random) => generate?.Invoke(difficulty, random) ?? inner.Generate(difficulty, random);

        public bool VerifyAnswer(Problem problem, string? answer) => inner.VerifyAnswer(problem, answer);

        public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps) => inner.CheckSteps(problem, steps);
    }
}
