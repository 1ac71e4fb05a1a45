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
        root.Subcommands.Add(AttemptsCommand.Build());
        root.Subcommands.Add(CompareCommand.Build());
        root.Subcommands.Add(ProjectCommand.Build());
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(FineTuneCommand.Build());
        root.Subcommands.Add(MakeModelCommand.Build());
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>; a command line that does not parse exits with <see cref="ExitCodes.BadInput"/>,
    /// and an exception that escapes a command is one line on <paramref name="errors"/> (the trace goes to a file), exit code 1.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <param name="errors">Where errors go (standard error by default).</param>
    /// <param name="root">The command tree (<see cref="Build"/> by default).</param>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? errors = null, RootCommand? root = null)
    {
        ParseResult parse = (root ?? Build()).Parse(args);
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

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Bad input is reported where it is found, with its place; what reaches here is a fault of the program (or
            // of a plug-in). The user gets one line, the trace goes to a file for a bug report.
            errors ??= Console.Error;
            Exception inner = e is System.Reflection.TargetInvocationException { InnerException: { } i } ? i : e;
            string trace = Path.Combine(Path.GetTempPath(), $"reasoning-error-{Environment.ProcessId}.txt");
            try
            {
                File.WriteAllText(trace, e.ToString());
            }
            catch (IOException)
            {
                trace = "(could not be written)";
            }

            errors.WriteLine($"error: {inner.GetType().Name}: {inner.Message}");
            errors.WriteLine($"this is a fault of the program or of a plug-in, not of your input; the full trace is in {trace}");
            return ExitCodes.RunFailed;
        }
    }
}
