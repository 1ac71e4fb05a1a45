using Reasoning.Core.Storage;
using System.CommandLine;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Experiments.Runner;

namespace Reasoning.Experiments.Cli;

/// <summary><c>compare</c>: several runs' strategies in one table, from their records.</summary>
internal static class CompareCommand
{
    public static Command Build()
    {
        var folders = new Argument<string[]>("results") { Description = "the run folders to put side by side", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output") { Description = "also write the table to this Markdown file" };
        var command = new Command("compare", "Put the strategies of several runs in one table, rebuilt from their records.") { folders, output };
        command.SetAction(result => Execute(result.GetValue(folders)!, result.GetValue(output), Console.Out, Console.Error));
        return command;
    }

    public static int Execute(IReadOnlyList<string> folders, string? outputFile, TextWriter output, TextWriter errors)
    {
        var runs = new List<(string RunName, RunSummary Summary)>();
        foreach (string folder in folders)
        {
            string records = Path.Combine(folder, ExperimentRunner.RecordsFile);
            if (!File.Exists(records))
            {
                errors.WriteLine($"{folder}: no {ExperimentRunner.RecordsFile} here; compare needs run folders, such as results/<experiment>/<spec hash>");
                return ExitCodes.BadInput;
            }

            string full = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
            string name = $"{Path.GetFileName(Path.GetDirectoryName(full))}/{Path.GetFileName(full)}";
            runs.Add((name, Summarizer.Summarize(RecordLog.Read(records).Records)));
        }

        string table = CompareReport.Markdown(runs);
        output.WriteLine(table);
        if (outputFile is not null)
        {
            AtomicFile.WriteAllText(outputFile, table);
        }

        return ExitCodes.Success;
    }
}
