using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Options;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Experiments.Composition;
using Reasoning.Experiments.Plugins;
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
        var assembly = new Option<string?>("--assembly") { Description = "list a plug-in assembly's tasks and strategies instead (the .dll a spec's assembly: names)" };
        var command = new Command("list", "List the tasks (each with a sample problem) and the strategies (each with its options, defaults and meaning).") { difficulty, seed, assembly };
        command.SetAction(result =>
        {
            if (result.GetValue(assembly) is { } plugin)
            {
                return RunPlugin(Console.Out, Console.Error, plugin, result.GetValue(difficulty), result.GetValue(seed));
            }

            Run(Console.Out, result.GetValue(difficulty), result.GetValue(seed));
            return 0;
        });
        return command;
    }

    /// <summary>
    /// A plug-in assembly's tasks and strategies, as <see cref="Run"/> shows the built-ins: each task with a sample
    /// problem, each strategy with its options; a type that does not load says why. Exit code 2 when the assembly cannot
    /// be read or holds neither.
    /// </summary>
    public static int RunPlugin(TextWriter output, TextWriter errors, string assemblyPath, int difficulty, long seed)
    {
        var loader = new PluginLoader();
        (IReadOnlyList<string> strategies, IReadOnlyList<string> tasks, string? error) = loader.TypesIn(assemblyPath);
        if (error is not null)
        {
            errors.WriteLine($"error: {error}");
            return ExitCodes.BadInput;
        }

        string fullPath = Path.GetFullPath(assemblyPath);
        if (strategies.Count == 0 && tasks.Count == 0)
        {
            errors.WriteLine($"error: {fullPath} has no public, concrete strategy (IStrategy) or task (IReasoningTask) types");
            return ExitCodes.BadInput;
        }

        output.WriteLine($"PLUG-IN {fullPath}");
        output.WriteLine();
        WriteSection(output, "TASKS (task: {type: <name>, assembly: <this file>, difficulty: ...} in a spec)", tasks,
            type => loader.LoadTask(fullPath, type), (type, task) => WriteTask(output, task, difficulty, seed, $"{type}, named {task.Name}"));
        WriteSection(output, "STRATEGIES (strategies[]: {type: <name>, assembly: <this file>, options: ...} in a spec)", strategies,
            type => loader.LoadStrategy(fullPath, type), (_, strategy) => WriteStrategy(output, strategy));
        return ExitCodes.Success;
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
            WriteTask(output, task, difficulty, seed, task.Name);
        }

        WriteDatasetKind(output);

        output.WriteLine("STRATEGIES (strategies[].strategy in a spec; options under strategies[].options)");
        output.WriteLine();
        foreach (StrategyDescriptor strategy in services.GetServices<StrategyDescriptor>().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            WriteStrategy(output, strategy);
        }

        output.WriteLine("Plug-ins: name a strategy or task in your own assembly with type: and assembly: (see samples/ShortestOfN);");
        output.WriteLine("list --assembly <file.dll> shows a plug-in's tasks and strategies like these.");
    }

    /// <summary>A plug-in section: its heading, then each type as <paramref name="write"/> shows it, or why it does not load.</summary>
    private static void WriteSection<T>(TextWriter output, string heading, IReadOnlyList<string> types, Func<string, PluginLoad<T>> load, Action<string, T> write)
        where T : class
    {
        output.WriteLine(heading);
        output.WriteLine();
        if (types.Count == 0)
        {
            output.WriteLine("(none)");
            output.WriteLine();
        }

        foreach (string type in types)
        {
            PluginLoad<T> loaded = load(type);
            if (loaded.Value is { } value)
            {
                write(type, value);
            }
            else
            {
                output.WriteLine($"{type}: does not load: {loaded.Error}");
                output.WriteLine();
            }
        }
    }

    /// <summary>A task's heading, range and description, and one sample problem with its reference solution.</summary>
    private static void WriteTask(TextWriter output, IReasoningTask task, int difficulty, long seed, string heading)
    {
        int d = Math.Clamp(difficulty, task.MinDifficulty, task.MaxDifficulty);
        output.WriteLine($"{heading} (difficulty {task.MinDifficulty}-{task.MaxDifficulty}): {task.Description}");
        try
        {
            Problem problem = task.Generate(d, DeterministicRandom.ForPurpose(seed, "list/" + task.Name));
            output.WriteLine($"  sample at difficulty {d}, id {problem.Id}:");
            WriteIndented(output, problem.Prompt + "\n" + task.SolutionFormat.RenderCompletion(problem.ReferenceSteps, problem.Answer));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            output.WriteLine($"  no sample: making a problem at difficulty {d} threw {e.GetType().Name}: {e.Message}");
        }

        output.WriteLine();
    }

    /// <summary>A strategy's name and description, and each option's key, meaning, default and allowed values.</summary>
    private static void WriteStrategy(TextWriter output, StrategyDescriptor strategy)
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
