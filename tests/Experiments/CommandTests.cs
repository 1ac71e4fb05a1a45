using System.Text.Json;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Cli;

namespace Reasoning.Tests.Experiments;

public sealed class CommandTests
{
    [Fact]
    public void ListAssemblyShowsAPlugInsStrategiesWithTheirOptionsAsForBuiltIns()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int exit = ListCommand.RunPlugin(output, errors, Plugins.PluginLoaderTests.SamplePath, difficulty: 2, seed: 1);
        Assert.Equal(0, exit);
        Assert.Equal("", errors.ToString());
        // The sample's options, as written in samples/ShortestOfN/ShortestOfNOptions.cs.
        Assert.Contains(
            "Reasoning.Samples.ShortestOfN.ShortestOfNStrategy: n sampled solutions per question, the shortest well-formed one wins; no training\n" +
            "  samples: samples per question (n) (default 4; at least 1)\n" +
            "  temperature: sampling temperature (default 0.8; greater than 0)\n" +
            "  max_new_tokens: longest solution, in tokens (default 128; at least 1)\n",
            output.ToString().ReplaceLineEndings("\n"));
        Assert.Contains("TASKS (task: {type: <name>, assembly: <this file>, difficulty: ...} in a spec)\n\n(none)\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ListAssemblyShowsAPlugInsTasksWithASampleAndSaysWhyATypeDoesNotLoad()
    {
        var output = new StringWriter();
        Assert.Equal(0, ListCommand.RunPlugin(output, new StringWriter(), typeof(Reasoning.Tests.Core.ParityTask).Assembly.Location, difficulty: 3, seed: 1));
        string text = output.ToString().ReplaceLineEndings("\n");
        Assert.Contains("Reasoning.Tests.Core.ParityTask, named parity (difficulty 1-8): is the number of ones in a bit string even\n  sample at difficulty 3, id ", text);
        Assert.Contains($"{typeof(Plugins.TwoArgumentPluginStrategy).FullName}: does not load: strategy type '{typeof(Plugins.TwoArgumentPluginStrategy).FullName}' in ", text);
        Assert.Contains("has no public constructor taking nothing or one options object", text);
    }

    [Fact]
    public void ListAssemblyOfAMissingFileIsBadInput()
    {
        var errors = new StringWriter();
        Assert.Equal(2, ListCommand.RunPlugin(new StringWriter(), errors, "no-such-plugin.dll", 2, 1));
        Assert.Equal($"error: plug-in assembly not found: {Path.GetFullPath("no-such-plugin.dll")}\n", errors.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ListShowsEveryTaskWithASampleAndEveryStrategyWithItsOptions()
    {
        var output = new StringWriter();
        ListCommand.Run(output, difficulty: 2, seed: 1);
        string text = output.ToString();
        Assert.Contains("LibTorch loaded", text);
        foreach (IReasoningTask task in TaskRegistry.CreateDefault().All)
        {
            Assert.Contains($"{task.Name} (difficulty {task.MinDifficulty}-{task.MaxDifficulty})", text);
        }

        Assert.Contains("answer: ", text);

        // The dataset kind, and how its free-text solutions are written, from the formats a dataset task uses.
        Assert.Contains("jsonl (a local dataset, no difficulty)", text);
        Assert.Contains("need labels: monte_carlo", text);
        Assert.Contains("    Natalia sold 48+24 = 72 clips altogether in April and May.\n    #### 72\n", text.ReplaceLineEndings("\n"));
        Assert.Contains("with answer_format: boxed, steps are paragraphs (separated by a blank line) and the answer step is: The final answer is $\\boxed{72}$.", text);
        Assert.Contains("with answer_format: plain, steps are paragraphs (separated by a blank line) and the answer step is: answer: 72", text);

        // Then every strategy, each option with its default, what is allowed and what it means.
        Assert.Contains("STRATEGIES", text);
        Assert.Contains("greedy: the base policy's most likely solution", text);
        Assert.Contains("  samples: samples per question (k) (default 8; at least 1)", text);
        Assert.Contains("  top_p: nucleus sampling threshold (top-p) (default 1; in (0, 1])", text);
        Assert.Contains("prm-mcts: MCTS over reasoning steps", text);
        Assert.Contains("  labels: step labels: exact (the task's step checker) or monte_carlo", text);
    }

    [Fact]
    public void BenchTasksMeasuresEveryTaskAndDifficulty()
    {
        var output = new StringWriter();
        TaskRegistry registry = TaskRegistry.CreateDefault();
        IReadOnlyList<TaskThroughput> rows = BenchCommand.MeasureTasks(registry, TimeSpan.FromMilliseconds(5), output);

        Assert.Equal(registry.All.Sum(t => t.MaxDifficulty - t.MinDifficulty + 1), rows.Count);
        Assert.All(rows, r => Assert.True(r.Problems >= 100 && r.ProblemsPerSecond > 0, $"{r.Task} {r.Difficulty}"));
        Assert.Equal(rows.Count + 2, output.ToString().Trim().Split('\n').Length); // header, rule, one line a row
    }

    [Fact]
    public void BenchTasksWritesJsonWhenAsked()
    {
        string file = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        try
        {
            int exit = CommandLine.Build().Parse(["bench", "tasks", "--seconds", "0.002", "--json", file]).Invoke();
            Assert.Equal(0, exit);
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(file));
            Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
            Assert.Contains(json.RootElement.EnumerateArray(), row => row.GetProperty("Task").GetString() == "shortest-path");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void BenchTasksRefusesANonPositiveBudget() =>
        Assert.Equal(2, CommandLine.Build().Parse(["bench", "tasks", "--seconds", "0"]).Invoke());
}
