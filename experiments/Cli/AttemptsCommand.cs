using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Problems;
using Reasoning.Core.Storage;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Composition;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Experiments.Runner;
using Reasoning.Experiments.Specs;

namespace Reasoning.Experiments.Cli;

/// <summary>
/// <c>attempts</c>: every answer behind a run's figures, per question: the question, the solution text and its steps
/// with the step checker's verdicts, the answer and the reference, and the candidates a reward model scored with their
/// scores and verified correctness; filtered by strategy, seed, question and right or wrong; shown as text or exported
/// as JSONL or CSV. A function of the records, with the run's spec (found in the run's folder) for step verdicts.
/// </summary>
internal static class AttemptsCommand
{
    public static Command Build()
    {
        var folder = new Argument<string>("results") { Description = $"a run's folder (the one holding {ExperimentRunner.RecordsFile})" };
        var strategy = new Option<string?>("--strategy") { Description = "only this strategy (its label in the table)" };
        var seed = new Option<long?>("--seed") { Description = "only this seed" };
        var question = new Option<string?>("--question") { Description = "only this question id" };
        var right = new Option<bool>("--right") { Description = "only right answers" };
        var wrong = new Option<bool>("--wrong") { Description = "only wrong answers" };
        var format = new Option<string>("--format") { Description = "text (default), jsonl or csv", DefaultValueFactory = _ => "text" };
        var output = new Option<string?>("--output") { Description = "write to this file instead of the console" };
        var command = new Command("attempts", "Show or export every attempt behind a run's figures: question, solution, step verdicts, answer, reference, scored candidates.")
        {
            folder, strategy, seed, question, right, wrong, format, output,
        };
        command.SetAction(result => Execute(
            result.GetValue(folder)!,
            new Request(result.GetValue(strategy), result.GetValue(seed), result.GetValue(question), result.GetValue(right), result.GetValue(wrong), result.GetValue(format)!, result.GetValue(output)),
            Console.Out,
            Console.Error));
        return command;
    }

    /// <summary>What the user asked for.</summary>
    internal sealed record Request(string? Strategy, long? Seed, string? Question, bool Right, bool Wrong, string Format, string? Output);

    public static int Execute(string folder, Request request, TextWriter output, TextWriter errors)
    {
        string records = Path.Combine(folder, ExperimentRunner.RecordsFile);
        if (!File.Exists(records))
        {
            errors.WriteLine($"error: {folder}: no {ExperimentRunner.RecordsFile} here; attempts needs a run's folder, such as results/<experiment>/<spec hash> (a task sweep's: one of its key-value folders)");
            return ExitCodes.BadInput;
        }

        if (request.Format is not ("text" or "jsonl" or "csv"))
        {
            errors.WriteLine($"error: --format: '{request.Format}' is not a format; allowed: text, jsonl, csv");
            return ExitCodes.BadInput;
        }

        if (request.Right && request.Wrong)
        {
            errors.WriteLine("error: --right and --wrong together select nothing; give one or neither");
            return ExitCodes.BadInput;
        }

        RecordLogContents contents = RecordLog.Read(records);
        var labels = contents.Records.OfType<UnitStarted>().Select(u => u.Label).Where(l => l != RunRecord.BasePolicyLabel).Distinct().ToList();
        if (request.Strategy is { } wanted && !labels.Contains(wanted))
        {
            errors.WriteLine($"error: --strategy: no strategy '{wanted}' in this run; its strategies: {string.Join(", ", labels)}");
            return ExitCodes.BadInput;
        }

        (IReasoningTask? task, Func<long, IReadOnlyDictionary<string, Problem>?>? problems, string? why) = RunProblems(folder, contents.Records);
        if (why is not null)
        {
            errors.WriteLine($"note: {why}; questions and references come from the records alone, and steps have no verdicts");
        }

        var filter = new AttemptFilter(request.Strategy, request.Seed, request.Right ? true : request.Wrong ? false : null, request.Question);
        IReadOnlyList<AttemptRow> rows = AttemptView.Rows(contents.Records, filter, task, problems);
        string text = request.Format switch
        {
            "jsonl" => AttemptView.Jsonl(rows),
            "csv" => AttemptView.Csv(rows),
            _ => AttemptView.Text(rows),
        };
        if (request.Output is { } path)
        {
            AtomicFile.WriteAllText(path, text);
            output.WriteLine($"{rows.Count} attempt(s) written to {Path.GetFullPath(path)}");
        }
        else
        {
            output.Write(text);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// The run's task and its test problems per seed, from the spec in the run's folder (a task sweep's is one folder up,
    /// the value named by this folder), checked against the spec hash the records name; or why not.
    /// </summary>
    private static (IReasoningTask? Task, Func<long, IReadOnlyDictionary<string, Problem>?>? Problems, string? Why) RunProblems(string folder, IReadOnlyList<RunRecord> records)
    {
        if (records.OfType<RunStarted>().FirstOrDefault() is not { } started)
        {
            return (null, null, "the records name no spec");
        }

        string full = Path.GetFullPath(folder);
        string here = Path.Combine(full, ExperimentRunner.SpecFile);
        string up = Path.Combine(Path.GetDirectoryName(full) ?? full, ExperimentRunner.SpecFile);
        string? specPath = File.Exists(here) ? here : File.Exists(up) ? up : null;
        if (specPath is null)
        {
            return (null, null, $"no {ExperimentRunner.SpecFile} in the run's folder");
        }

        using ServiceProvider provider = new ServiceCollection().AddLogging().AddReasoning().BuildServiceProvider();
        SpecLoadResult loaded = SpecLoader.Load(specPath, provider.GetRequiredService<SpecCatalog>());
        if (loaded.Spec is not { } spec)
        {
            return (null, null, $"the run's {ExperimentRunner.SpecFile} does not load here ({loaded.Errors.FirstOrDefault()})");
        }

        ExperimentSpec? run = spec.Hash == started.SpecHash
            ? spec
            : spec.TaskSweep?.Variants.Where(v => v.Label == Path.GetFileName(full)).Select(spec.ForVariant).FirstOrDefault(v => v.Hash == started.SpecHash);
        if (run is null)
        {
            return (null, null, $"the run's {ExperimentRunner.SpecFile} is not the spec its records were made by (hash {started.SpecHash})");
        }

        var cache = new Dictionary<long, IReadOnlyDictionary<string, Problem>?>();
        IReadOnlyDictionary<string, Problem>? ProblemsOf(long seed)
        {
            if (!cache.TryGetValue(seed, out IReadOnlyDictionary<string, Problem>? byId))
            {
                try
                {
                    byId = ProblemSplit.Create(run.Task.Task, run.Task.Difficulty, run.Task.Train, run.Task.Test, seed).Test.ToDictionary(p => p.Id, StringComparer.Ordinal);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    byId = null; // a dataset moved away, a plug-in that changed: the records still speak
                }

                cache[seed] = byId;
            }

            return byId;
        }

        return (run.Task.Task, ProblemsOf, null);
    }
}
