using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reasoning.Core.Accounting;
using Reasoning.Core.Diagnostics;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Storage;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Reports;
using Reasoning.Experiments.Specs;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;
using Reasoning.Policy.Training;
using TorchSharp;

namespace Reasoning.Experiments.Runner;

/// <summary>What a run did.</summary>
/// <param name="RunFolder">Where its records, tables and plots are.</param>
/// <param name="Units">Units of work in the spec (seeds × (strategies + the base policy)).</param>
/// <param name="Skipped">Units that had finished in an earlier invocation.</param>
/// <param name="Failed">Units that failed in this invocation (or could not start because their base policy failed).</param>
/// <param name="Table">The comparison table (Markdown) over every finished unit.</param>
/// <param name="Summary">What the table shows (for a task sweep, null: its table is over several runs).</param>
internal sealed record RunResult(string RunFolder, int Units, int Skipped, int Failed, string Table, RunSummary? Summary = null);

/// <summary>
/// Runs an experiment: for each seed, the problems, the base policy (cached), then for each strategy
/// <c>Prepare</c> (phase <c>train</c>) and <c>Solve</c> (phase <c>inference</c>) under a fresh
/// <see cref="UsageMeter"/>. The runner, not the strategy, verifies answers: strategies get questions only.
/// Every unit's results are appended to the run's record log in one write as soon as the unit ends, so a
/// killed run started again skips finished units and loses nothing; a strategy that throws fails its own
/// unit (recorded with the error) and the others still run.
/// </summary>
internal sealed class ExperimentRunner(PolicyHost host, IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    public const string RecordsFile = "records.msgpack";
    public const string SpecFile = "spec.yaml";
    public const string CanonicalSpecFile = "spec.canonical.txt";

    private readonly ILogger _logger = loggers.CreateLogger<ExperimentRunner>();
    private readonly Dictionary<string, string> _identities = new(StringComparer.Ordinal);

    /// <summary>The run's folder: <c>&lt;output&gt;/&lt;spec hash&gt;</c>, so the same spec resumes the same run and a changed spec starts a new one.</summary>
    public static string RunFolderOf(ExperimentSpec spec) => Path.Combine(Path.GetFullPath(spec.Output), spec.Hash);

    /// <summary>Fine-tuned base policies and strategies' cached models, shared by every run under the same output folder.</summary>
    public static string CacheFolderOf(ExperimentSpec spec) => Path.Combine(Path.GetFullPath(spec.Output), "cache");

    /// <summary>
    /// Runs the experiment into <see cref="RunFolderOf"/>; with a task sweep, each value as an experiment of its own in
    /// a folder named after it (<c>difficulty-3/</c>), one after the other, then the sweep's table over all of them.
    /// </summary>
    public async Task<RunResult> RunAsync(ExperimentSpec spec, IRunProgress progress, CancellationToken cancellation = default)
    {
        string runFolder = RunFolderOf(spec);
        // One writer per run folder (a sweep's variants live inside it): a second run stops here, before writing anything.
        using RunFolderLock folderLock = RunFolderLock.Acquire(runFolder);
        if (folderLock.PreviousHolder is { } previous)
        {
            _logger.LogWarning("took over {Lock} from the run that ended without releasing it ({Holder})", Path.Combine(runFolder, RunFolderLock.FileName), previous);
        }

        WriteSpec(spec, runFolder, withSource: true);
        if (spec.TaskSweep is not { } sweep)
        {
            return await RunOneAsync(spec, runFolder, progress, cancellation);
        }

        int units = 0, skipped = 0, failed = 0;
        var summaries = new List<SweepVariantSummary>();
        foreach (TaskVariant variant in sweep.Variants)
        {
            ExperimentSpec one = spec.ForVariant(variant);
            string folder = Path.Combine(runFolder, variant.Label);
            WriteSpec(one, folder, withSource: false);
            RunResult result = await RunOneAsync(one, folder, progress, cancellation);
            (units, skipped, failed) = (units + result.Units, skipped + result.Skipped, failed + result.Failed);
            summaries.Add(new SweepVariantSummary(sweep.Key, variant.Value, variant.Label, result.Summary!));
        }

        SweepReport.WriteAll(summaries, runFolder);
        return new RunResult(runFolder, units, skipped, failed, File.ReadAllText(Path.Combine(runFolder, RunReport.MarkdownFile)));
    }

    /// <summary>The spec file as written (a swept spec's goes to its top folder only) and the canonical text of what runs there.</summary>
    private static void WriteSpec(ExperimentSpec spec, string folder, bool withSource)
    {
        Directory.CreateDirectory(folder);
        if (withSource && File.Exists(spec.SourceFile))
        {
            AtomicFile.WriteAllText(Path.Combine(folder, SpecFile), File.ReadAllText(spec.SourceFile));
        }

        AtomicFile.WriteAllText(Path.Combine(folder, CanonicalSpecFile), spec.CanonicalText);
    }

    private async Task<RunResult> RunOneAsync(ExperimentSpec spec, string runFolder, IRunProgress progress, CancellationToken cancellation)
    {
        string logPath = Path.Combine(runFolder, RecordsFile);
        int units = spec.Seeds.Count * (spec.Strategies.Count + 1);
        int failed = 0;
        HashSet<(long Seed, string Label)> finished;
        using (RecordLog log = RecordLog.OpenForAppend(logPath, out RecordLogContents existing))
        {
            if (existing.TornBytes > 0)
            {
                _logger.LogWarning("dropped a torn last record ({Bytes} bytes) from {Path}: the run was interrupted while writing it", existing.TornBytes, logPath);
            }

            foreach (RecordLogDamage damage in existing.Damage)
            {
                _logger.LogWarning("{Path} is damaged: {Damage}; the damaged file was copied to {Copy} and the log rewritten without them", logPath, damage.Describe(), log.DamagedCopy);
            }

            finished = FinishedUnits(existing.Records);
            CommitCacheEntries(spec, existing.Records, finished);
            progress.RunStarting(spec.Name, runFolder, units, finished.Count);
            log.Append(new RunStarted(spec.Name, spec.Hash, spec.CanonicalText, DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                RunEnvironmentProbe.Capture(host.Device.ToString(), spec.Host.Threads)));

            using NvmlDeviceMemoryReader? deviceMemory = host.Device.type == DeviceType.CUDA ? NvmlDeviceMemoryReader.TryCreate(host.Device.index < 0 ? 0 : host.Device.index) : null;
            foreach (long seed in spec.Seeds)
            {
                var pending = spec.Strategies.Where(s => !finished.Contains((seed, s.Label))).ToList();
                bool baseRecorded = finished.Contains((seed, RunRecord.BasePolicyLabel));
                if (pending.Count == 0 && baseRecorded)
                {
                    continue;
                }

                ProblemSplit split = ProblemSplit.Create(spec.Task.Task, spec.Task.Difficulty, spec.Task.Train, spec.Task.Test, seed);
                (BasePolicy? basePolicy, string baseIdentity) = PrepareBasePolicy(spec, seed, split, baseRecorded, log, progress, deviceMemory, runFolder, cancellation);
                if (basePolicy is null)
                {
                    failed += 1 + pending.Count;
                    foreach (StrategySpec strategy in pending)
                    {
                        progress.UnitEnded(seed, strategy.Label, 0, 0, "not started: the base policy of this seed failed");
                    }

                    continue;
                }

                using ModelHandle handle = host.AddBase(basePolicy.Model, basePolicy.Tokenizer, $"base-seed{seed}");
                foreach (StrategySpec strategy in pending)
                {
                    bool ok = await RunUnitAsync(spec, strategy, seed, split, new PolicySession(host, handle, baseIdentity), log, progress, deviceMemory, runFolder, cancellation);
                    failed += ok ? 0 : 1;
                }
            }
        }

        progress.RunEnded();
        RecordLogContents records = RecordLog.Read(logPath);
        RunSummary summary = RunReport.WriteAll(records.Records, runFolder);
        return new RunResult(runFolder, units, finished.Count, failed, File.ReadAllText(Path.Combine(runFolder, RunReport.MarkdownFile)), summary);
    }

    /// <summary>Units whose last start ended with <see cref="UnitFinished"/>. Failed and unfinished units run again.</summary>
    internal static HashSet<(long Seed, string Label)> FinishedUnits(IEnumerable<RunRecord> records)
    {
        var state = new Dictionary<(long, string), bool>();
        foreach (RunRecord record in records)
        {
            switch (record)
            {
                case UnitStarted s:
                    state[(s.Seed, s.Label)] = false;
                    break;
                case UnitFinished f when state.ContainsKey((f.Seed, f.Label)):
                    // An end without a start (its start lost to corruption) is not trusted: the unit runs again.
                    state[(f.Seed, f.Label)] = true;
                    break;
                case UnitFailed f:
                    state[(f.Seed, f.Label)] = false;
                    break;
            }
        }

        return state.Where(kv => kv.Value).Select(kv => kv.Key).ToHashSet();
    }

    /// <summary>
    /// Commits the cache entries of finished units (see <see cref="ModelCache"/>) whose markers are missing: a run
    /// killed between a unit's records and its markers left them so. Entries of unfinished units stay invisible.
    /// </summary>
    private static void CommitCacheEntries(ExperimentSpec spec, IEnumerable<RunRecord> records, HashSet<(long Seed, string Label)> finished)
    {
        foreach (CacheCommitted committed in records.OfType<CacheCommitted>().Where(c => finished.Contains((c.Seed, c.Label))))
        {
            ModelCache.Commit(CacheFolderOf(spec), committed.Entries, Writer(spec, committed.Seed, committed.Label));
        }
    }

    /// <summary>Who writes a unit's cache entries, for their markers.</summary>
    private static string Writer(ExperimentSpec spec, long seed, string label) => $"{spec.Name} ({spec.Hash}), seed {seed}, {label}";

    /// <summary>
    /// Appends a unit's end records in one write, its cache entries (if any) named just before its last record, then
    /// makes the entries visible: a kill anywhere in between leaves either no record and invisible entries (the unit
    /// runs again), or the record, whose entries the next run commits (<see cref="CommitCacheEntries"/>).
    /// </summary>
    private static void CommitUnit(RecordLog log, List<RunRecord> end, ModelCache cache, long seed, string label)
    {
        IReadOnlyList<string> written = cache.Written;
        if (written.Count > 0)
        {
            end.Insert(end.Count - 1, new CacheCommitted(seed, label, written));
        }

        FaultPoint.Reached(FaultPoint.BeforeUnitRecord);
        log.Append(end);
        FaultPoint.Reached(FaultPoint.AfterUnitRecord);
        cache.Commit();
    }

    private (BasePolicy? Policy, string Identity) PrepareBasePolicy(
        ExperimentSpec spec, long seed, ProblemSplit split, bool alreadyRecorded, RecordLog log, IRunProgress progress, IDeviceMemoryReader? deviceMemory,
        string runFolder, CancellationToken cancellation)
    {
        const string label = RunRecord.BasePolicyLabel;
        var cache = new ModelCache(CacheFolderOf(spec), Writer(spec, seed, label));
        string scratch = Path.Combine(runFolder, "scratch", $"{label}-seed{seed}");
        (Func<IUsageMeter, Action<LossPoint>?, TrainingSnapshots?, BasePolicy> obtain, string identity, int steps, bool trains) = BaseSource(spec, seed, split, cache, cancellation);
        if (alreadyRecorded)
        {
            // Its cost is in the records already; if the cache was emptied since, training again is not charged twice,
            // and the model trained again is committed at once (its unit's records are in the log).
            BasePolicy again = obtain(NullUsageMeter.Instance, null, null);
            cache.Commit();
            return (again, identity);
        }

        // A fine-tuning killed part-way resumes from its last snapshot, which holds what it had cost.
        var snapshots = new TrainingSnapshots(Path.Combine(scratch, "sft"), spec.SnapshotEvery, identity);
        if (snapshots.Latest is { } resumed)
        {
            progress.Message(seed, label, $"resuming the fine-tuning at step {resumed.Step}/{steps}");
        }

        log.Append(new UnitStarted(seed, label, "supervised fine-tuning", 0));
        progress.Phase(seed, label, "sft");
        var meter = new UsageMeter(deviceMemory);
        try
        {
            BasePolicy policy;
            using (meter.BeginPhase("sft"))
            {
                policy = obtain(
                    meter,
                    point =>
                    {
                        if ((point.Step + 1) % 100 == 0)
                        {
                            progress.Message(seed, label, $"step {point.Step + 1}/{steps}, loss {point.Loss:F3}");
                        }
                    },
                    snapshots);
            }

            PhaseUsage usage = meter.Phases.Single();
            PhaseRecord phase;
            if (!trains)
            {
                // A pretrained model used as it is: loading it is not training, and nothing is cached.
                phase = ToRecord(seed, label, usage, reused: false);
            }
            else if (policy.Reused)
            {
                PhaseUsage? original = BasePolicyCosts.TryLoad(policy.Path);
                if (original is null)
                {
                    _logger.LogWarning("the cached base policy {Path} has no recorded cost; its fine-tuning cost is reported as 0", policy.Path);
                }

                phase = ToRecord(seed, label, original ?? usage, reused: true);
            }
            else
            {
                BasePolicyCosts.Save(policy.Path, usage);
                FaultPoint.Reached(FaultPoint.AfterBaseCost);
                phase = ToRecord(seed, label, usage, reused: false);
            }

            var end = new List<RunRecord> { phase };
            end.AddRange(policy.LossCurve.Select(p => new CurvePoint(seed, label, "sft/loss", p.Step, p.Loss)));
            end.Add(new UnitFinished(seed, label, 0, 0));
            CommitUnit(log, end, cache, seed, label);
            snapshots.Delete();
            RemoveIfEmpty(scratch);
            progress.UnitEnded(seed, label, 0, 0, null);
            return (policy, identity);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            string error = Describe(e);
            _logger.LogError(e, "seed {Seed}: fine-tuning the base policy failed", seed);
            log.Append(new UnitFailed(seed, label, "sft", error));
            progress.UnitEnded(seed, label, 0, 0, error);
            return (null, "");
        }
    }

    /// <summary>
    /// How a seed's base policy is made: a built-in model fine-tuned from scratch (cached by <see cref="BasePolicyKey"/>),
    /// a pretrained model folder used as it is, or one fine-tuned on the task's reference solutions (cached as a model
    /// folder by <see cref="PretrainedBaseKey"/>). Returns the maker, the policy's identity (the key of models derived
    /// from it), its fine-tuning steps (for progress) and whether it trains at all.
    /// </summary>
    private (Func<IUsageMeter, Action<LossPoint>?, TrainingSnapshots?, BasePolicy> Obtain, string Identity, int Steps, bool Trains) BaseSource(
        ExperimentSpec spec, long seed, ProblemSplit split, ModelCache modelCache, CancellationToken cancellation)
    {
        IReasoningTask task = spec.Task.Task;
        FineTuningOptions fineTuning = spec.Policy.FineTuning with { Seed = seed };
        if (spec.Policy.Pretrained is { } pretrained)
        {
            var prompt = PromptFormat.Parse(pretrained.Prompt, pretrained.System);
            ISolutionFormat format = task.SolutionFormat;
            string checkpoint = PretrainedIdentity(pretrained.Folder);
            var key = new PretrainedBaseKey(checkpoint, $"{pretrained.Prompt}|{pretrained.System}", pretrained.ContextLength, $"{format.Name}|{format.StepSeparator}",
                fineTuning, BasePolicyKey.DigestOf(split.Train));
            if (!pretrained.FineTune)
            {
                return ((_, _, _) =>
                {
                    PretrainedPolicy loaded = PretrainedPolicy.Load(pretrained.Folder, prompt, format.StepSeparator, pretrained.ContextLength);
                    return new BasePolicy(loaded.Model, loaded.Tokenizer, [], Reused: false, loaded.Folder);
                }, checkpoint, 0, false);
            }

            var pretrainedCache = new PretrainedBaseCache(modelCache, loggers.CreateLogger<PretrainedBaseCache>());
            return ((meter, report, snapshots) => pretrainedCache.GetOrTrain(key, pretrained.Folder, prompt, format, split.Train, meter, report, cancellation, snapshots),
                key.Hash(), fineTuning.Steps, true);
        }

        var tokenizer = CharTokenizer.ForAlphabets([task.Alphabet]);
        TransformerConfig config = spec.Policy.ConfigFor(tokenizer.VocabularySize);
        var charKey = new BasePolicyKey(task.Name, config, fineTuning, seed, tokenizer.Characters, BasePolicyKey.DigestOf(split.Train));
        var cache = new BasePolicyCache(modelCache, loggers.CreateLogger<BasePolicyCache>());
        return ((meter, report, snapshots) => cache.GetOrTrain(charKey, split.Train, meter, report, cancellation, snapshots), charKey.Hash(), fineTuning.Steps, true);
    }

    /// <summary>A model folder's identity, hashed once per run (a real model is gigabytes).</summary>
    private string PretrainedIdentity(string folder)
    {
        lock (_identities)
        {
            if (!_identities.TryGetValue(folder, out string? identity))
            {
                identity = PretrainedPolicy.Identity(folder);
                _identities[folder] = identity;
            }

            return identity;
        }
    }

    private async Task<bool> RunUnitAsync(
        ExperimentSpec spec, StrategySpec strategySpec, long seed, ProblemSplit split, PolicySession session, RecordLog log,
        IRunProgress progress, IDeviceMemoryReader? deviceMemory, string runFolder, CancellationToken cancellation)
    {
        string label = strategySpec.Label;
        IReadOnlyList<Question> questions = split.Test.Select(p => p.ToQuestion()).ToList();
        log.Append(new UnitStarted(seed, label, strategySpec.Strategy, questions.Count));
        using IServiceScope scope = OpenScope(session);
        var meter = new UsageMeter(deviceMemory);
        var curves = new CurveCollector(seed, label);
        var cache = new ModelCache(CacheFolderOf(spec), Writer(spec, seed, label));
        string scratch = Path.Combine(runFolder, "scratch", $"{label}-seed{seed}");
        ILogger logger = loggers.CreateLogger($"Reasoning.Strategy.{label}");
        StrategyContext context = NewContext(
            scope, spec, split, seed, meter, logger, message => progress.Message(seed, label, message), scratch, curves, cache, cancellation, spec.SnapshotEvery);
        string phase = "train";
        IStrategy? strategy = null;
        BudgetChoice? choice = null;
        try
        {
            if (strategySpec.Budget is { } knob && spec.Budget is { } budget)
            {
                phase = "calibrate";
                progress.Phase(seed, label, phase);
                choice = await CalibrateAsync(spec, budget, strategySpec, knob, seed, split, questions.Count, session, progress, deviceMemory, runFolder, cache, cancellation);
                progress.Message(seed, label, $"{knob.Option} = {choice.Value} (bound by the {choice.Limit}): predicted {Formats.Scientific(choice.PredictedFlops)} of {Formats.Scientific(budget.Flops)} FLOPs");
                strategy = strategySpec.CreateWith(choice.Value);
                phase = "train";
            }
            else
            {
                strategy = strategySpec.Create();
            }

            progress.Phase(seed, label, phase);
            using (meter.BeginPhase(phase))
            {
                await strategy.PrepareAsync(context);
            }

            phase = "inference";
            progress.Phase(seed, label, phase);
            IReadOnlyList<Attempt>? attempts;
            using (meter.BeginPhase(phase))
            {
                attempts = await strategy.SolveAsync(questions, context);
            }

            phase = "verify";
            IReadOnlyList<AttemptRecord> verified = Verify(spec.Task.Task, seed, label, split.Test, attempts, session.Base.Tokenizer);
            if (meter.Unphased.Counters != Usage.Zero)
            {
                _logger.LogWarning("seed {Seed} {Label}: work was recorded outside the train and inference phases: {Usage}", seed, label, meter.Unphased.Counters);
            }

            var end = new List<RunRecord>();
            if (choice is not null)
            {
                end.Add(choice);
            }

            end.AddRange(verified);
            end.AddRange(meter.Phases.Select(p => ToRecord(seed, label, p, reused: p.IncludesReusedWork)));
            end.AddRange(curves.Points);
            int correct = verified.Count(a => a.Correct);
            end.Add(new UnitFinished(seed, label, verified.Count, correct));
            CommitUnit(log, end, cache, seed, label);
            DeleteFolder(Path.Combine(scratch, StrategyContext.SnapshotsFolderName)); // committed: nothing to resume
            progress.UnitEnded(seed, label, correct, verified.Count, null);
            return true;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            string error = Describe(e);
            logger.LogError(e, "seed {Seed}: strategy {Label} failed in phase {Phase}", seed, label, phase);
            log.Append(new UnitFailed(seed, label, phase, error));
            progress.UnitEnded(seed, label, 0, questions.Count, error);
            return false;
        }
        finally
        {
            (strategy as IDisposable)?.Dispose(); // a strategy that holds models releases them when its unit ends
            RemoveIfEmpty(scratch);
        }
    }

    /// <summary>
    /// Sizes the strategy's budgeted option: runs it (prepare, then solve the last <see cref="BudgetSpec.CalibrationQuestions"/>
    /// train problems) at each pilot value under a meter of its own, and plans the value from their totals with
    /// <see cref="BudgetPlanner"/>. The calibration's own cost is recorded beside the choice, not charged to the unit.
    /// </summary>
    private async Task<BudgetChoice> CalibrateAsync(
        ExperimentSpec spec, BudgetSpec budget, StrategySpec strategySpec, BudgetKnob knob, long seed, ProblemSplit split, int testQuestions,
        PolicySession session, IRunProgress progress, IDeviceMemoryReader? deviceMemory, string runFolder, ModelCache cache, CancellationToken cancellation)
    {
        string label = strategySpec.Label;
        IReadOnlyList<Question> questions = split.Train.TakeLast(budget.CalibrationQuestions).Select(p => p.ToQuestion()).ToList();
        var pilots = new List<PilotCost>();
        double flops = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (int value in new[] { knob.PilotLow, knob.PilotHigh })
        {
            progress.Message(seed, label, $"calibrating: {knob.Option} = {value} on {questions.Count} train questions");
            using IServiceScope scope = OpenScope(session);
            var meter = new UsageMeter(deviceMemory);
            string scratch = Path.Combine(runFolder, "scratch", $"{label}-seed{seed}-calibration-{value}");
            StrategyContext context = NewContext(
                scope, spec, split, seed, meter, loggers.CreateLogger($"Reasoning.Strategy.{label}.calibration"), _ => { }, scratch, new CurveCollector(seed, label), cache, cancellation);
            IStrategy strategy = strategySpec.CreateWith(value);
            try
            {
                using (meter.BeginPhase("train"))
                {
                    await strategy.PrepareAsync(context);
                }

                using (meter.BeginPhase("inference"))
                {
                    _ = await strategy.SolveAsync(questions, context);
                }
            }
            finally
            {
                (strategy as IDisposable)?.Dispose();
                // Nothing a calibration run keeps (a GRPO checkpoint, say) is used again.
                Directory.Delete(scratch, recursive: true);
                RemoveIfEmpty(Path.GetDirectoryName(scratch)!);
            }

            double train = meter.Phases.Single(p => p.Phase == "train").Counters.Flops;
            double inference = meter.Phases.Single(p => p.Phase == "inference").Counters.Flops;
            pilots.Add(new PilotCost(value, train, inference / questions.Count));
            flops += train + inference;
        }

        BudgetPlan plan = BudgetPlanner.Plan(budget.Flops, testQuestions, pilots[0], pilots[1], knob.Min, knob.Max);
        return new BudgetChoice(
            seed, label, knob.Option, plan.Value, budget.Flops, plan.PredictedFlops, plan.Limit, plan.Unconstrained,
            pilots.Select(p => p.Value).ToList(), pilots.Select(p => p.TotalFor(testQuestions)).ToList(), flops, clock.Elapsed.TotalSeconds);
    }

    /// <summary>A DI scope for one unit (or calibration run), its policy session set.</summary>
    private IServiceScope OpenScope(PolicySession session)
    {
        IServiceScope scope = scopes.CreateScope();
        scope.ServiceProvider.GetRequiredService<UnitScope>().Session = session;
        return scope;
    }

    /// <summary>What a strategy sees while it prepares and solves; creates its <paramref name="scratch"/> folder.</summary>
    private StrategyContext NewContext(
        IServiceScope scope, ExperimentSpec spec, ProblemSplit split, long seed, UsageMeter meter, ILogger logger,
        Action<string> report, string scratch, CurveCollector curves, ModelCache cache, CancellationToken cancellation, int snapshotEvery = 0)
    {
        Directory.CreateDirectory(scratch);
        return new StrategyContext(
            scope.ServiceProvider, spec.Task.Task, split.Train, seed, meter, logger, new ImmediateProgress(report), scratch, cancellation, curves, cache, snapshotEvery);
    }

    private static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Strategies that keep nothing leave no empty folders behind.</summary>
    private static void RemoveIfEmpty(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
                string parent = Path.GetDirectoryName(folder)!;
                if (!Directory.EnumerateFileSystemEntries(parent).Any())
                {
                    Directory.Delete(parent);
                }
            }
        }
        catch (IOException)
        {
            // Another unit may have just written there; an empty folder is harmless.
        }
    }

    /// <summary>
    /// Checks a strategy's attempts against the test problems: exactly one attempt per question, no unknown
    /// ids; each answer verified by the task, and each reward-model candidate too (for the reward-hacking
    /// gauge). Records come out in question order.
    /// </summary>
    /// <exception cref="InvalidOperationException">The attempts do not answer the questions one to one; the message says how.</exception>
    internal static IReadOnlyList<AttemptRecord> Verify(
        IReasoningTask task, long seed, string label, IReadOnlyList<Problem> problems, IReadOnlyList<Attempt>? attempts, ITokenizer tokenizer)
    {
        if (attempts is null)
        {
            throw new InvalidOperationException("SolveAsync returned null instead of one attempt per question");
        }

        var byId = new Dictionary<string, Attempt>(StringComparer.Ordinal);
        var known = problems.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        foreach (Attempt? attempt in attempts)
        {
            if (attempt is null)
            {
                throw new InvalidOperationException("SolveAsync returned a null attempt");
            }

            if (!known.Contains(attempt.QuestionId))
            {
                throw new InvalidOperationException($"SolveAsync returned an attempt for '{attempt.QuestionId}', which is not one of the questions asked");
            }

            if (!byId.TryAdd(attempt.QuestionId, attempt))
            {
                throw new InvalidOperationException($"SolveAsync returned two attempts for question '{attempt.QuestionId}'");
            }
        }

        if (byId.Count != problems.Count)
        {
            string missing = problems.First(p => !byId.ContainsKey(p.Id)).Id;
            throw new InvalidOperationException($"SolveAsync answered {byId.Count} of {problems.Count} questions (no attempt for '{missing}', among others)");
        }

        return problems.Select(p =>
        {
            Attempt a = byId[p.Id];
            string text = a.Text ?? "";
            var candidates = a.Candidates?.Where(c => c is not null).ToList();
            return new AttemptRecord(
                seed, label, p.Id, a.Answer, text, task.VerifyAnswer(p, a.Answer), TokenCount(tokenizer, text),
                candidates?.Select(c => c.Score).ToList(),
                candidates?.Select(c => task.VerifyAnswer(p, c.Answer)).ToList(),
                candidates?.Select(c => c.Answer).ToList(),
                p.Prompt,
                p.Answer);
        }).ToList();
    }

    /// <summary>Tokens of <paramref name="text"/> under the policy's tokenizer; characters outside its vocabulary count one each.</summary>
    private static int TokenCount(ITokenizer tokenizer, string text)
    {
        try
        {
            return tokenizer.Encode(text).Count;
        }
        catch (ArgumentException)
        {
            return text.Length;
        }
    }

    private static PhaseRecord ToRecord(long seed, string label, PhaseUsage p, bool reused) => new(
        seed, label, p.Phase, p.Counters.GeneratedTokens, p.Counters.ProcessedTokens, p.Counters.TrainedTokens, p.Counters.Flops,
        p.WallSeconds, p.PeakResidentBytes, p.PeakDeviceBytes, p.EstimatedPeakBytes, reused);

    private static string Describe(Exception e)
    {
        Exception inner = e is System.Reflection.TargetInvocationException { InnerException: { } i } ? i : e;
        return $"{inner.GetType().Name}: {inner.Message}";
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the caller's thread, in order (unlike <see cref="Progress{T}"/>).</summary>
    private sealed class ImmediateProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
