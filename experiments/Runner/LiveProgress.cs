using Spectre.Console;

namespace Reasoning.Experiments.Runner;

/// <summary>
/// The live display of a run on a terminal (Spectre.Console): one bar over every unit of work, with the
/// current unit, its phase and its latest message, the elapsed time and an estimate of the time left.
/// </summary>
internal sealed class LiveProgress(ProgressContext context) : IRunProgress
{
    private readonly object _gate = new();
    private ProgressTask? _units;
    private string _current = "";

    /// <summary>Whether the live display suits this console: a terminal that is interactive, and not CI.</summary>
    public static bool Suits(IAnsiConsole console) =>
        !Console.IsOutputRedirected
        && console.Profile.Capabilities.Interactive
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Runs <paramref name="work"/> under a live display on <paramref name="console"/>.</summary>
    public static Task<T> RunAsync<T>(IAnsiConsole console, Func<IRunProgress, Task<T>> work) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(ctx => work(new LiveProgress(ctx)));

    public void RunStarting(string experiment, string runFolder, int totalUnits, int finishedUnits)
    {
        lock (_gate)
        {
            _units = context.AddTask(Markup.Escape($"{experiment}: starting"), maxValue: Math.Max(1, totalUnits));
            _units.Value = finishedUnits;
        }
    }

    public void Phase(long seed, string label, string phase)
    {
        lock (_gate)
        {
            _current = $"seed {seed} {label}: {phase}";
            Describe(_current);
        }
    }

    public void Message(long seed, string label, string message)
    {
        lock (_gate)
        {
            Describe($"{_current} — {message}");
        }
    }

    public void UnitEnded(long seed, string label, int correct, int questions, string? error)
    {
        lock (_gate)
        {
            _units?.Increment(1);
            string line = error is null
                ? $"seed {seed} {label}: done{(questions > 0 ? $", {correct}/{questions} correct" : "")}"
                : $"seed {seed} {label}: FAILED: {error}";
            Describe(line);
        }
    }

    public void RunEnded()
    {
        lock (_gate)
        {
            if (_units is not null)
            {
                Describe("run ended");
                _units.StopTask();
            }
        }
    }

    private void Describe(string text)
    {
        if (_units is not null)
        {
            _units.Description = Markup.Escape(text.Length > 70 ? text[..69] + "…" : text);
        }
    }
}
