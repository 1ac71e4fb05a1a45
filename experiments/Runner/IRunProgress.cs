namespace Reasoning.Experiments.Runner;

/// <summary>What a run reports while it works: a live display on a terminal, log lines elsewhere.</summary>
internal interface IRunProgress
{
    /// <summary>The run begins: <paramref name="totalUnits"/> units of work, of which <paramref name="finishedUnits"/> finished in an earlier invocation.</summary>
    void RunStarting(string experiment, string runFolder, int totalUnits, int finishedUnits);

    /// <summary>A unit enters a phase (<c>sft</c>, <c>train</c>, <c>inference</c>).</summary>
    void Phase(long seed, string label, string phase);

    /// <summary>A strategy's own progress message.</summary>
    void Message(long seed, string label, string message);

    /// <summary>A unit ended; <paramref name="error"/> is null when it succeeded.</summary>
    void UnitEnded(long seed, string label, int correct, int questions, string? error);

    /// <summary>The run ended.</summary>
    void RunEnded();
}

/// <summary>Plain, timestamped log lines with counts and an estimate of the time left (for pipes and CI).</summary>
internal sealed class LogLineProgress(TextWriter output, TimeProvider? clock = null) : IRunProgress
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly object _gate = new();
    private int _total;
    private int _done;
    private int _doneHere;
    private long _started;

    public void RunStarting(string experiment, string runFolder, int totalUnits, int finishedUnits)
    {
        lock (_gate)
        {
            (_total, _done, _doneHere, _started) = (totalUnits, finishedUnits, 0, _clock.GetTimestamp());
            Write($"run {experiment}: {totalUnits} units, {finishedUnits} already finished; records in {runFolder}");
        }
    }

    public void Phase(long seed, string label, string phase) => Write($"[{Counts()}] seed {seed} {label}: {phase}");

    public void Message(long seed, string label, string message) => Write($"[{Counts()}] seed {seed} {label}: {message}");

    public void UnitEnded(long seed, string label, int correct, int questions, string? error)
    {
        lock (_gate)
        {
            _done++;
            _doneHere++;
        }

        Write(error is null
            ? $"[{Counts()}] seed {seed} {label}: done{(questions > 0 ? $", {correct}/{questions} correct" : "")}{Eta()}"
            : $"[{Counts()}] seed {seed} {label}: FAILED: {error}");
    }

    public void RunEnded() => Write($"[{Counts()}] run ended");

    private string Counts()
    {
        lock (_gate)
        {
            return $"{_done}/{_total}";
        }
    }

    private string Eta()
    {
        lock (_gate)
        {
            if (_doneHere == 0 || _done >= _total)
            {
                return "";
            }

            TimeSpan elapsed = _clock.GetElapsedTime(_started);
            TimeSpan left = elapsed / _doneHere * (_total - _done);
            return $", about {left.TotalMinutes:F1} min left";
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            output.WriteLine($"{_clock.GetUtcNow():HH:mm:ss} {line}");
            output.Flush();
        }
    }
}
