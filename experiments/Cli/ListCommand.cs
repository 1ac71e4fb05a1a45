using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Options;
using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Composition;
using Reasoning.Policy.Devices;

namespace Reasoning.Experiments.Cli;

/// <summary>
/// <c>list</c>: the tasks, their difficulty ranges, and one sample problem each with its reference solution;
/// then the strategies, each with its options (YAML key, default, what is allowed, what it means).
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
        output.WriteLine();
        output.WriteLine("TASKS (task.kind in a spec)");
        output.WriteLine();
        foreach (IReasoningTask task in services.GetRequiredService<TaskRegistry>().All)
        {
            int d = Math.Clamp(difficulty, task.MinDifficulty, task.MaxDifficulty);
            Problem problem = task.Generate(d, DeterministicRandom.ForPurpose(seed, "list/" + task.Name));
            output.WriteLine($"{task.Name} (difficulty {task.MinDifficulty}-{task.MaxDifficulty}): {task.Description}");
            output.WriteLine($"  sample at difficulty {d}, id {problem.Id}:");
            foreach (string line in problem.ReferenceSolution.TrimEnd('\n').Split('\n'))
            {
                output.WriteLine("    " + line);
            }

            output.WriteLine();
        }

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
}
