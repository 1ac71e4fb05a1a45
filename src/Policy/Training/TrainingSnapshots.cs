using System.Globalization;
using System.Text.Json;
using Reasoning.Core.Accounting;
using Reasoning.Core.Storage;
using TorchSharp;

namespace Reasoning.Policy.Training;

/// <summary>Where a training loop was when it saved a snapshot, and what it had cost by then.</summary>
/// <param name="Key">What the loop was training (its settings, seed and data), so a snapshot of other work is never loaded.</param>
/// <param name="Step">Steps completed: the loop resumes at this 0-based step.</param>
/// <param name="Counters">The work charged up to the snapshot (what the owner counts: see each loop).</param>
/// <param name="Seconds">Wall time spent up to the snapshot, over every process that worked on it.</param>
/// <param name="PeakResidentBytes">The highest peak resident set those processes measured.</param>
/// <param name="EstimatedBytes">The largest analytic memory estimate reported.</param>
/// <param name="State">The loop's own state (its curve so far, say), as text.</param>
public sealed record TrainingSnapshot(string Key, int Step, Usage Counters, double Seconds, long PeakResidentBytes, long EstimatedBytes, string State)
{
    /// <summary>The work done before the snapshot, to charge with <see cref="IUsageMeter.RecordResumed"/>.</summary>
    public PhaseUsage Done => new("resumed", Counters, Seconds, PeakResidentBytes, null, EstimatedBytes);
}

/// <summary>
/// Resumable snapshots of one training loop (supervised fine-tuning, reward-model training, GRPO): every
/// <see cref="Every"/> steps, the weights, the AdamW state, the step, the cost so far and the loop's own state go to a
/// new folder <c>step-NNNNNNN</c> under <see cref="Folder"/>, and the file <c>latest</c> is then replaced (atomically)
/// to name it, so a kill at any moment leaves the previous snapshot or the new one, never half of one. The learning
/// rate is a function of the step and every random stream of the loops is derived from the seed and the step (batch
/// order is replayed), so a loop resumed from a snapshot continues exactly as if it had not stopped (bitwise at a
/// fixed thread count).
/// </summary>
public sealed class TrainingSnapshots
{
    private const string LatestFile = "latest";
    private const string ProgressFile = "progress.json";
    private const string WeightsFile = "weights.bin";
    private const string OptimizerFile = "optimizer.bin";

    private TrainingSnapshot? _latest;
    private bool _read;

    /// <param name="folder">The snapshots' folder (a unit's scratch folder, say).</param>
    /// <param name="every">Steps between snapshots; 0 saves none (and <see cref="Latest"/> is still read).</param>
    /// <param name="key">What is trained; a snapshot with another key is ignored.</param>
    public TrainingSnapshots(string folder, int every, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentOutOfRangeException.ThrowIfNegative(every);
        Folder = Path.GetFullPath(folder);
        Every = every;
        Key = key;
    }

    public string Folder { get; }

    public int Every { get; }

    public string Key { get; }

    /// <summary>The snapshot to resume from: the latest complete one with this key; null when there is none.</summary>
    public TrainingSnapshot? Latest
    {
        get
        {
            if (!_read)
            {
                _latest = ReadLatest();
                _read = true;
            }

            return _latest;
        }
    }

    /// <summary>Whether a snapshot is due after <paramref name="completed"/> of <paramref name="total"/> steps (never after the last: the loop's result follows at once).</summary>
    public bool IsDue(int completed, int total) => Every > 0 && completed % Every == 0 && completed < total;

    /// <summary>Loads <see cref="Latest"/>'s weights into <paramref name="model"/> and its AdamW state into <paramref name="optimizer"/>; returns the step to resume at (0 when there is no snapshot).</summary>
    public int Restore(torch.nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        if (Latest is not { } snapshot)
        {
            return 0;
        }

        string folder = Path.Combine(Folder, StepFolder(snapshot.Step));
        model.load(Path.Combine(folder, WeightsFile));
        optimizer.load_state_dict(Path.Combine(folder, OptimizerFile));
        return snapshot.Step;
    }

    /// <summary>Saves a snapshot after <paramref name="completed"/> steps, then removes the older ones.</summary>
    public void Save(int completed, torch.nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer, Usage counters, double seconds, long peakResidentBytes, long estimatedBytes, string state)
    {
        string name = StepFolder(completed);
        string target = Path.Combine(Folder, name);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        string staging = target + ".tmp";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        model.save(Path.Combine(staging, WeightsFile));
        optimizer.save_state_dict(Path.Combine(staging, OptimizerFile));
        var snapshot = new TrainingSnapshot(Key, completed, counters, seconds, peakResidentBytes, estimatedBytes, state);
        AtomicFile.WriteAllText(Path.Combine(staging, ProgressFile), JsonSerializer.Serialize(snapshot));
        Directory.Move(staging, target);
        AtomicFile.WriteAllText(Path.Combine(Folder, LatestFile), name);
        foreach (string old in Directory.EnumerateDirectories(Folder, "step-*").Where(d => Path.GetFileName(d) != name).ToList())
        {
            Directory.Delete(old, recursive: true);
        }

        _latest = snapshot;
        _read = true;
    }

    /// <summary>Removes every snapshot (the loop's work is committed elsewhere).</summary>
    public void Delete()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        _latest = null;
        _read = true;
    }

    private static string StepFolder(int step) => "step-" + step.ToString("D7", CultureInfo.InvariantCulture);

    private TrainingSnapshot? ReadLatest()
    {
        try
        {
            string latest = Path.Combine(Folder, LatestFile);
            if (!File.Exists(latest))
            {
                return null;
            }

            string folder = Path.Combine(Folder, File.ReadAllText(latest).Trim());
            TrainingSnapshot? snapshot = JsonSerializer.Deserialize<TrainingSnapshot>(File.ReadAllText(Path.Combine(folder, ProgressFile)));
            bool complete = File.Exists(Path.Combine(folder, WeightsFile)) && File.Exists(Path.Combine(folder, OptimizerFile));
            return snapshot is not null && complete && snapshot.Key == Key && snapshot.Step > 0 ? snapshot : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>
/// The resumable part of a training loop: its charges pass through <see cref="Meter"/>, <see cref="Resume"/> restores the
/// latest snapshot (weights, optimizer, the loop's own state) and charges the work done before it once, and
/// <see cref="SaveIfDue"/> saves a snapshot with what has been charged and how long it took, over every process.
/// </summary>
public sealed class ResumedLoop
{
    private readonly MeterTap _tap;
    private readonly TrainingSnapshots? _snapshots;
    private readonly Func<Usage> _charged;
    private readonly Func<string> _saveState;
    private readonly Action<string> _restoreState;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private double _earlierSeconds;
    private long _earlierPeakBytes;

    /// <param name="meter">Where the loop's work is charged.</param>
    /// <param name="snapshots">Where snapshots go; null: the loop neither saves nor resumes.</param>
    /// <param name="saveState">The loop's own state for a snapshot (its curve so far, say); null: none.</param>
    /// <param name="restoreState">Takes that state back when resuming.</param>
    /// <param name="charged">
    /// What a snapshot records as charged so far; by default what went through <see cref="Meter"/> (resumed work
    /// included). An owner that charges more of its own work to the same phase (GRPO's held-out evaluations) passes
    /// its own sum, taken through a <see cref="MeterTap"/> that is the loop's <paramref name="meter"/>.
    /// </param>
    public ResumedLoop(IUsageMeter meter, TrainingSnapshots? snapshots, Func<string>? saveState = null, Action<string>? restoreState = null, Func<Usage>? charged = null)
    {
        _tap = new MeterTap(meter);
        _snapshots = snapshots;
        _saveState = saveState ?? (() => "");
        _restoreState = restoreState ?? (_ => { });
        _charged = charged ?? (() => _tap.Total);
    }

    /// <summary>The loop charges its work here.</summary>
    public IUsageMeter Meter => _tap;

    /// <summary>The snapshot the loop resumed from (after <see cref="Resume"/>); null when it started afresh.</summary>
    public TrainingSnapshot? ResumedFrom { get; private set; }

    /// <summary>Restores the latest snapshot, if any, and charges its work; returns the 0-based step to start at.</summary>
    public int Resume(torch.nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        if (_snapshots?.Latest is not { } snapshot)
        {
            return 0;
        }

        int step = _snapshots.Restore(model, optimizer);
        _tap.RecordResumed(snapshot.Done);
        _earlierSeconds = snapshot.Seconds;
        _earlierPeakBytes = snapshot.PeakResidentBytes;
        _restoreState(snapshot.State);
        ResumedFrom = snapshot;
        return step;
    }

    /// <summary>Saves a snapshot when one is due after <paramref name="completed"/> of <paramref name="total"/> steps.</summary>
    public void SaveIfDue(int completed, int total, torch.nn.Module model, TorchSharp.Modules.OptimizerHelper optimizer)
    {
        if (_snapshots is null || !_snapshots.IsDue(completed, total))
        {
            return;
        }

        _snapshots.Save(
            completed, model, optimizer, _charged(), _earlierSeconds + _clock.Elapsed.TotalSeconds,
            Math.Max(_earlierPeakBytes, Accounting.ResidentMemory.PeakBytes()), _tap.EstimatedBytes, _saveState());
    }
}
