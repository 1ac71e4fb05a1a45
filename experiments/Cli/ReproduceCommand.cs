using System.CommandLine;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Experiments.Runner;

namespace Reasoning.Experiments.Cli;

/// <summary><c>reproduce</c>: every table, summary and plot of a run, rebuilt from its record log alone.</summary>
internal static class ReproduceCommand
{
    public static Command Build()
    {
        var folder = new Argument<string>("results") { Description = $"a run's folder (the one holding {ExperimentRunner.RecordsFile})" };
        var output = new Option<string?>("--output") { Description = "where to write the tables and plots (default: the run's folder itself)" };
        var command = new Command("reproduce", "Rebuild a run's tables, summary and plots from its records alone; the tables come out byte-identical.") { folder, output };
        command.SetAction(result => Execute(result.GetValue(folder)!, result.GetValue(output), Console.Out, Console.Error));
        return command;
    }

    public static int Execute(string folder, string? outputFolder, TextWriter output, TextWriter errors)
    {
        string records = Path.Combine(folder, ExperimentRunner.RecordsFile);
        if (!File.Exists(records))
        {
            errors.WriteLine($"{folder}: no {ExperimentRunner.RecordsFile} here; reproduce needs a run's folder, such as results/<experiment>/<spec hash>");
            return ExitCodes.BadInput;
        }

        RecordLogContents contents = RecordLog.Read(records);
        if (contents.TornBytes > 0)
        {
            errors.WriteLine($"{records}: ignoring a torn last record ({contents.TornBytes} bytes)");
        }

        string target = outputFolder ?? folder;
        Directory.CreateDirectory(target);
        RunReport.WriteAll(contents.Records, target);
        output.WriteLine(File.ReadAllText(Path.Combine(target, RunReport.MarkdownFile)));
        output.WriteLine($"rebuilt from {contents.Records.Count} records into {Path.GetFullPath(target)}");
        return ExitCodes.Success;
    }
}
