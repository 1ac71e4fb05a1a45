using Reasoning.Experiments.Runner;
using Spectre.Console;

namespace Reasoning.Tests.Experiments.Runner;

public sealed class ProgressTests
{
    private static void Drive(IRunProgress progress)
    {
        progress.RunStarting("demo", "results/demo/abc", totalUnits: 3, finishedUnits: 1);
        progress.Phase(1, "greedy", "inference");
        progress.Message(1, "greedy", "half way");
        progress.UnitEnded(1, "greedy", 7, 10, null);
        progress.UnitEnded(1, "broken", 0, 10, "InvalidOperationException: no");
        progress.RunEnded();
    }

    [Fact]
    public void LogLinesCarryCountsPhasesResultsAndFailures()
    {
        var output = new StringWriter();
        Drive(new LogLineProgress(output));
        string[] lines = output.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')[9..]).ToArray(); // without the "HH:mm:ss " stamp

        Assert.Equal(
            [
                "run demo: 3 units, 1 already finished; records in results/demo/abc",
                "[1/3] seed 1 greedy: inference",
                "[1/3] seed 1 greedy: half way",
                "[2/3] seed 1 greedy: done, 7/10 correct, about 0.0 min left",
                "[3/3] seed 1 broken: FAILED: InvalidOperationException: no",
                "[3/3] run ended",
            ],
            lines);
    }

    [Fact]
    public async Task TheLiveDisplayShowsTheUnitsOnATerminal()
    {
        var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(output),
        });

        int result = await LiveProgress.RunAsync(console, progress =>
        {
            Drive(progress);
            return Task.FromResult(42);
        });

        Assert.Equal(42, result);
        Assert.Contains("run ended", output.ToString());
        Assert.Contains("100%", output.ToString()); // three of three units
    }
}
