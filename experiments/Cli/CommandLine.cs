using System.CommandLine;

namespace Reasoning.Experiments.Cli;

/// <summary>The command tree: one class per command.</summary>
internal static class CommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Reasoning: PRM + search versus R1-style self-play, measured side by side.");
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(ValidateCommand.Build());
        root.Subcommands.Add(ListCommand.Build());
        root.Subcommands.Add(ReproduceCommand.Build());
        root.Subcommands.Add(CompareCommand.Build());
        root.Subcommands.Add(ProjectCommand.Build());
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(FineTuneCommand.Build());
        root.Subcommands.Add(MakeModelCommand.Build());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; a command line that does not parse exits with <see cref="ExitCodes.BadInput"/>.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? errors = null)
    {
        ParseResult parse = Build().Parse(args);
        if (parse.Errors.Count > 0)
        {
            errors ??= Console.Error;
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                errors.WriteLine(error.Message);
            }

            errors.WriteLine("see --help");
            return ExitCodes.BadInput;
        }

        return await parse.InvokeAsync();
    }
}
