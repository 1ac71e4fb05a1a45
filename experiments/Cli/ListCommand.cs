using System.CommandLine;
using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Devices;

namespace Reasoning.Experiments.Cli;

/// <summary><c>list</c>: the tasks, their difficulty ranges, and one sample problem each with its reference solution.</summary>
internal static class ListCommand
{
    public static Command Build()
    {
        var difficulty = new Option<int>("--difficulty") { Description = "difficulty of the sample problems (clamped to each task's range)", DefaultValueFactory = _ => 3 };
        var seed = new Option<long>("--seed") { Description = "seed of the sample problems", DefaultValueFactory = _ => 1 };
        var command = new Command("list", "List the tasks, each with a sample problem and its reference solution.") { difficulty, seed };
        command.SetAction(result =>
        {
            Run(Console.Out, result.GetValue(difficulty), result.GetValue(seed));
            return 0;
        });
        return command;
    }

    public static void Run(TextWriter output, int difficulty, long seed)
    {
        output.WriteLine(TorchRuntime.Describe());
        output.WriteLine();
        foreach (IReasoningTask task in TaskRegistry.CreateDefault().All)
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
    }
}
