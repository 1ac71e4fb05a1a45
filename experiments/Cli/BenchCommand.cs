using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;

namespace Reasoning.Experiments.Cli;

/// <summary><c>bench tasks</c>: problems generated per second, per task and difficulty.</summary>
internal static class BenchCommand
{
    public static Command Build()
    {
        var seconds = new Option<double>("--seconds") { Description = "measuring time per task and difficulty", DefaultValueFactory = _ => 0.5 };
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures to this JSON file" };
        var tasks = new Command("tasks", "Problems generated per second for each task and difficulty.") { seconds, json };
        tasks.SetAction(result =>
        {
            double budget = result.GetValue(seconds);
            if (budget <= 0 || double.IsNaN(budget))
            {
                Console.Error.WriteLine($"--seconds must be positive, not {budget}");
                return 2;
            }

            IReadOnlyList<TaskThroughput> rows = MeasureTasks(TaskRegistry.CreateDefault(), TimeSpan.FromSeconds(budget), Console.Out);
            FileInfo? file = result.GetValue(json);
            if (file is not null)
            {
                File.WriteAllText(file.FullName, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true }) + "\n");
                Console.Out.WriteLine($"wrote {file.FullName}");
            }

            return 0;
        });
        return new Command("bench", "Benchmarks that print tables of measured figures.") { tasks, BenchPolicyCommand.Build() };
    }

    /// <summary>Generates problems for <paramref name="budget"/> per task and difficulty and prints the table as it goes.</summary>
    public static IReadOnlyList<TaskThroughput> MeasureTasks(TaskRegistry registry, TimeSpan budget, TextWriter output)
    {
        output.WriteLine("| task | difficulty | problems | seconds | problems/s |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        var rows = new List<TaskThroughput>();
        foreach (IReasoningTask task in registry.All)
        {
            for (int d = task.MinDifficulty; d <= task.MaxDifficulty; d++)
            {
                var random = DeterministicRandom.ForPurpose(1, $"bench/{task.Name}/{d}");
                for (int i = 0; i < 200; i++)
                {
                    task.Generate(d, random); // warm-up: JIT and tiering
                }

                long count = 0;
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < budget)
                {
                    for (int i = 0; i < 100; i++)
                    {
                        task.Generate(d, random);
                    }

                    count += 100;
                }

                double elapsed = clock.Elapsed.TotalSeconds;
                var row = new TaskThroughput(task.Name, d, count, Math.Round(elapsed, 3), Math.Round(count / elapsed));
                rows.Add(row);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Task} | {row.Difficulty} | {row.Problems} | {row.Seconds:F2} | {row.ProblemsPerSecond:N0} |"));
            }
        }

        return rows;
    }
}

/// <summary>One row of <c>bench tasks</c>.</summary>
internal sealed record TaskThroughput(string Task, int Difficulty, long Problems, double Seconds, double ProblemsPerSecond);
