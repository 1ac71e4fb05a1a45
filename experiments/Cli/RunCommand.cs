using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reasoning.Experiments.Composition;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Runner;
using Reasoning.Experiments.Specs;
using Spectre.Console;

namespace Reasoning.Experiments.Cli;

/// <summary><c>run</c>: validate, then run an experiment (resuming an interrupted run of the same spec), then print its table.</summary>
internal static class RunCommand
{
    public static Command Build()
    {
        var spec = new Argument<string>("spec") { Description = "the experiment: a YAML file" };
        var plain = new Option<bool>("--plain") { Description = "log lines instead of the live display (the default when the output is not a terminal or CI is set)" };
        var command = new Command(
            "run",
            "Run an experiment. Run the same command again after an interruption: finished units are skipped. Exit code 0 success, 1 a unit failed, 2 bad input.")
        {
            spec, plain,
        };
        command.SetAction((result, cancellation) =>
            ExecuteAsync(result.GetValue(spec)!, new CommandSettings(Plain: result.GetValue(plain)), Console.Out, Console.Error, cancellation));
        return command;
    }

    public static async Task<int> ExecuteAsync(string path, CommandSettings settings, TextWriter output, TextWriter errors, CancellationToken cancellation = default)
    {
        ExperimentSpec? spec = SpecLoading.Load(path, settings, errors);
        if (spec is null)
        {
            return ExitCodes.BadInput;
        }

        bool live = !settings.Plain && output == Console.Out && LiveProgress.Suits(AnsiConsole.Console);
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging
            .AddSimpleConsole(o => (o.SingleLine, o.TimestampFormat) = (true, "HH:mm:ss "))
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .SetMinimumLevel(live ? LogLevel.Warning : settings.LogLevel);
        builder.Services.AddReasoning(o =>
        {
            o.Device = spec.Host.Device;
            o.Precision = spec.Host.Precision;
            o.Threads = spec.Host.Threads;
            o.MaxBatchSize = spec.Host.MaxBatchSize;
        });
        settings.Services?.Invoke(builder.Services);
        using IHost app = builder.Build();
        // The host's console lifetime takes Ctrl+C (SIGINT) and SIGTERM for itself and only signals ApplicationStopping;
        // the run stops on either that or the command's own token.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(
            cancellation, app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        RunResult result;
        try
        {
            await app.StartAsync(stop.Token);
            var runner = app.Services.GetRequiredService<ExperimentRunner>();
            result = live
                ? await LiveProgress.RunAsync(AnsiConsole.Console, progress => runner.RunAsync(spec, progress, stop.Token))
                : await runner.RunAsync(spec, new LogLineProgress(output), stop.Token);
            await app.StopAsync(CancellationToken.None);
        }
        catch (RunFolderBusyException busy)
        {
            errors.WriteLine($"error: {busy.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            errors.WriteLine($"interrupted; finished units are kept in {ExperimentRunner.RunFolderOf(spec)}. Run the same command again to resume.");
            return ExitCodes.RunFailed;
        }

        output.WriteLine();
        output.WriteLine(result.Table);
        output.WriteLine($"records, tables and plots: {result.RunFolder}");
        if (result.Failed > 0)
        {
            errors.WriteLine($"{result.Failed} unit(s) failed (see the table's notes); run the same command again to retry them");
            return ExitCodes.RunFailed;
        }

        return ExitCodes.Success;
    }
}
