using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Options;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Experiments.Composition;
using Reasoning.Policy.Devices;

namespace Reasoning.Experiments.Cli;

/// <summary>
/// <c>list</c>: the tasks, their difficulty ranges, and one sample problem each with its reference solution (written
/// in the task's solution format); the <c>jsonl</c> task kind (a local dataset) and how its free-text solutions are
/// written; then the strategies, each with its options (YAML key, default, what is allowed, what it means).
/// </summary>
internal static class ListCommand
{
    public static Command Build()
    {
        var difficulty = new Option<int>("--difficulty") { Description = "difficulty of the sample problems (clamped to each task's range)", DefaultValueFactory = _ => 3 };
        var seed = new Option<long>("--seed") { Description = "seed of the sample problems", DefaultValueFactory = _ => 1 };
        var command = new Command("list", "List the tasks (each with a sample problem) and the strategies (each with its options, defaults and meaning).") { difficulty, seed };
        command.SetAction(result =>
        {
            Run(Console.Out, result.GetValue(difficulty), result.GetValue(seed));
            return 0;
        });
        return command;
    }

    public static void Run(TextWriter output, int difficulty, long seed)
    {
        using ServiceProvider services = new ServiceCollection().AddLogging().AddReasoning().BuildServiceProvider();
        output.WriteLine(TorchRuntime.Describe());
        output.WriteLine(MklDispatch.Describe());
        output.WriteLine();
        output.WriteLine("TASKS (task.kind in a spec)");
        output.WriteLine();
        foreach (IReasoningTask task in services.GetRequiredService<TaskRegistry>().All)
        {
            int d = Math.Clamp(difficulty, task.MinDifficulty, task.MaxDifficulty);
            Problem problem = task.Generate(d, DeterministicRandom.ForPurpose(seed, "list/" + task.Name));
            output.WriteLine($"{task.Name} (difficulty {task.MinDifficulty}-{task.MaxDifficulty}): {task.Description}");
            output.WriteLine($"  sample at difficulty {d}, id {problem.Id}:");
            WriteIndented(output, problem.Prompt + "\n" + task.SolutionFormat.RenderCompletion(problem.ReferenceSteps, problem.Answer));
            output.WriteLine();
        }

        WriteDatasetKind(output);

        output.WriteLine("STRATEGIES (strategies[].strategy in a spec; options under strategies[].options)");
        output.WriteLine();
        foreach (StrategyDescriptor strategy in services.GetServices<StrategyDescriptor>().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            output.WriteLine($"{strategy.Name}: {strategy.Description}");
            IReadOnlyList<OptionInfo> options = OptionsSchema.Describe(strategy.OptionsType);
            if (options.Count == 0)
            {
                output.WriteLine("  (no options)");
            }

            foreach (OptionInfo option in options)
            {
                output.WriteLine($"  {option.Key}: {option.Description} (default {OptionsSchema.Format(option.Default)}; {option.Allowed})");
            }

            output.WriteLine();
        }

        output.WriteLine("Plug-ins: name a strategy or task in your own assembly with type: and assembly: (see samples/ShortestOfN).");
    }

    /// <summary>
    /// The <c>jsonl</c> kind: not in the registry (it needs a file), so described here, its solutions rendered by the
    /// very formats a dataset task uses (<see cref="JsonlTask.FormatFor"/>).
    /// </summary>
    private static void WriteDatasetKind(TextWriter output)
    {
        output.WriteLine($"{JsonlTask.Kind} (a local dataset, no difficulty): problems from a JSONL file as Hugging Face datasets exports GSM8K or MATH;");
        output.WriteLine("  keys path, question, answer, answer_format (gsm8k, boxed or plain), train, test; optional solution, test_path (docs/datasets.md).");
        output.WriteLine("  Solutions are free text; no step checker, so reward-guided strategies need labels: monte_carlo.");
        output.WriteLine("  a solution with answer_format: gsm8k (one step per line):");
        string[] steps = ["Natalia sold 48/2 = 24 clips in May.", "Natalia sold 48+24 = 72 clips altogether in April and May."];
        WriteIndented(output, JsonlTask.FormatFor(AnswerFormat.Gsm8k).RenderCompletion(steps, "72"));
        foreach ((AnswerFormat answers, string name) in new[] { (AnswerFormat.Boxed, "boxed"), (AnswerFormat.Plain, "plain") })
        {
            FreeTextFormat format = JsonlTask.FormatFor(answers);
            output.WriteLine($"  with answer_format: {name}, steps are paragraphs (separated by a blank line) and the answer step is: {format.AnswerStep("72")}");
        }

        output.WriteLine();
    }

    /// <summary>Each line of <paramref name="text"/> (its final line ends dropped), indented under its heading.</summary>
    private static void WriteIndented(TextWriter output, string text)
    {
        foreach (string line in text.TrimEnd('\n').Split('\n'))
        {
            output.WriteLine("    " + line);
        }
    }
}
