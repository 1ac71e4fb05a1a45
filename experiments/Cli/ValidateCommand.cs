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
        output.WriteLine($"{path} is valid: experiment {spec.Name}, {spec.Seeds.Count} seed(s) × ({strategies} strateg{(strategies == 1 ? "y" : "ies")} + the base policy) = {spec.Seeds.Count * (strategies + 1)} units");
        output.WriteLine($"task {spec.Task.Task.Name}, difficulty {spec.Task.Difficulty}, {spec.Task.Train} train and {spec.Task.Test} test problems per seed");
        output.WriteLine($"strategies: {string.Join(", ", spec.Strategies.Select(s => s.Label == s.Strategy ? s.Label : $"{s.Label} ({s.Strategy})"))}");
        output.WriteLine($"results go to {ExperimentRunner.RunFolderOf(spec)}");
        return ExitCodes.Success;
    }
}
