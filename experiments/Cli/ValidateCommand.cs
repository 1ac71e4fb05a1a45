using System.CommandLine;
using Reasoning.Experiments.Runner;
using Reasoning.Experiments.Specs;

namespace Reasoning.Experiments.Cli;

/// <summary><c>validate</c>: every check <c>run</c> makes before it starts, and nothing else.</summary>
internal static class ValidateCommand
{
    public static Command Build()
    {
        var spec = new Argument<string>("spec") { Description = "the experiment: a YAML file" };
        var command = new Command("validate", "Check an experiment spec as run would, without running it. Exit code 0 valid, 2 not.") { spec };
        command.SetAction(result => Execute(result.GetValue(spec)!, new CommandSettings(), Console.Out, Console.Error));
        return command;
    }

    public static int Execute(string path, CommandSettings settings, TextWriter output, TextWriter errors)
    {
        ExperimentSpec? spec = SpecLoading.Load(path, settings, errors);
        if (spec is null)
        {
            return ExitCodes.BadInput;
        }

        int strategies = spec.Strategies.Count;
        int runs = spec.TaskSweep?.Variants.Count ?? 1;
        string sweepFactor = runs == 1 ? "" : $"{runs} task values × ";
        output.WriteLine($"{path} is valid: experiment {spec.Name}, {sweepFactor}{spec.Seeds.Count} seed(s) × ({strategies} strateg{(strategies == 1 ? "y" : "ies")} + the base policy) = {runs * spec.Seeds.Count * (strategies + 1)} units");
        TaskSpec task = spec.Task;
        string Value(string key, int value) => spec.TaskSweep is { } sweep && sweep.Key == key ? $"each of {string.Join(", ", sweep.Variants.Select(v => v.Value))}" : $"{value}";
        output.WriteLine($"task {task.Task.Name}, difficulty {Value("difficulty", task.Difficulty)}, {Value("train", task.Train)} train and {Value("test", task.Test)} test problems per seed");
        if (spec.TaskSweep is { } swept)
        {
            output.WriteLine($"task sweep over {swept.Key}: one run per value, in {string.Join(", ", swept.Variants.Select(v => v.Label + "/"))} under the results folder");
        }

        if (spec.Budget is { } budget)
        {
            var sized = spec.Strategies.Where(x => x.Budget is not null).Select(x => $"{x.Label}.{x.Budget!.Option} (at most {x.Budget.Max}; pilots {x.Budget.PilotLow}, {x.Budget.PilotHigh})").ToList();
            output.WriteLine($"budget: {Reasoning.Experiments.Reports.Formats.Scientific(budget.Flops)} FLOPs per seed per strategy; sized by calibration on {budget.CalibrationQuestions} train questions: {(sized.Count == 0 ? "nothing" : string.Join(", ", sized))}");
        }

        output.WriteLine($"strategies: {string.Join(", ", spec.Strategies.Select(s => s.Label == s.Strategy ? s.Label : $"{s.Label} ({s.Strategy})"))}");
        output.WriteLine($"results go to {ExperimentRunner.RunFolderOf(spec)}");
        return ExitCodes.Success;
    }
}
