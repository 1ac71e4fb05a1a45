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
        var folder = new Argument<string>("results") { Description = $"a run's folder (the one holding {ExperimentRunner.RecordsFile}), or a task sweep's (holding one such folder per value)" };
        var output = new Option<string?>("--output") { Description = "where to write the tables and plots (default: the run's folder itself)" };
        var command = new Command("reproduce", "Rebuild a run's tables, summary and plots from its records alone; the tables come out byte-identical.") { folder, output };
        command.SetAction(result => Execute(result.GetValue(folder)!, result.GetValue(output), Console.Out, Console.Error));
        return command;
    }

    public static int Execute(string folder, string? outputFolder, TextWriter output, TextWriter errors)
    {
        string records = Path.Combine(folder, ExperimentRunner.RecordsFile);
        string target = outputFolder ?? folder;
        if (File.Exists(records))
        {
            (int count, _) = Rebuild(records, target, errors);
            output.WriteLine(File.ReadAllText(Path.Combine(target, RunReport.MarkdownFile)));
            output.WriteLine($"rebuilt from {count} records into {Path.GetFullPath(target)}");
            return ExitCodes.Success;
        }

        IReadOnlyList<(string Key, int Value, string Label, string Folder)> variants;
        try
        {
            variants = SweepReport.VariantFolders(folder);
        }
        catch (InvalidDataException e)
        {
            errors.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }

        if (variants.Count == 0)
        {
            errors.WriteLine($"{folder}: no {ExperimentRunner.RecordsFile} here, nor the runs of a task sweep (key-value/{ExperimentRunner.RecordsFile}); " +
                "reproduce needs a run's folder, such as results/<experiment>/<spec hash>");
            return ExitCodes.BadInput;
        }

        // A task sweep: each value's run, then the sweep's table over all of them.
        int total = 0;
        var summaries = new List<SweepVariantSummary>();
        foreach (var variant in variants)
        {
            (int count, RunSummary summary) = Rebuild(Path.Combine(variant.Folder, ExperimentRunner.RecordsFile), Path.Combine(target, variant.Label), errors);
            total += count;
            summaries.Add(new SweepVariantSummary(variant.Key, variant.Value, variant.Label, summary));
        }

        SweepReport.WriteAll(summaries, target);
        output.WriteLine(File.ReadAllText(Path.Combine(target, RunReport.MarkdownFile)));
        output.WriteLine($"rebuilt {variants.Count} runs of a {variants[0].Key} sweep from {total} records into {Path.GetFullPath(target)}");
        return ExitCodes.Success;
    }

    /// <summary>One run's reports from its record log into <paramref name="target"/>; returns the records read and the summary.</summary>
    private static (int Records, RunSummary Summary) Rebuild(string records, string target, TextWriter errors)
    {
        RecordLogContents contents = RecordLog.Read(records);
        if (contents.TornBytes > 0)
        {
            errors.WriteLine($"{records}: ignoring a torn last record ({contents.TornBytes} bytes): the run was interrupted while writing it");
        }

        foreach (RecordLogDamage damage in contents.Damage)
        {
            errors.WriteLine($"{records}: damaged: {damage.Describe()} (the file is read as it is; the next run copies it aside and repairs it)");
        }

        Directory.CreateDirectory(target);
        return (contents.Records.Count, RunReport.WriteAll(contents.Records, target));
    }
}
