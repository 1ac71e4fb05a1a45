using Reasoning.Experiments.Records;

namespace Reasoning.Experiments.Reports;

/// <summary>Turns a run's records into its <see cref="RunSummary"/>: a pure function of the records.</summary>
internal static class Summarizer
{
    public const string TrainPhase = "train";
    public const string InferencePhase = "inference";
    public const string SftPhase = "sft";

    /// <summary>
    /// Summarizes a run. For each unit (seed, label) only the records after its last <see cref="UnitStarted"/>
    /// count; the unit counts if they end with <see cref="UnitFinished"/>, is listed as a failure if they end
    /// with <see cref="UnitFailed"/>, and is ignored otherwise (it did not finish).
    /// </summary>
    public static RunSummary Summarize(IReadOnlyList<RunRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);

        RunStarted? firstRun = null;
        int invocations = 0;
        var lastStart = new Dictionary<UnitKey, int>();
        var labels = new List<string>();
        var strategyOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < records.Count; i++)
        {
            switch (records[i])
            {
                case RunStarted run:
                    firstRun ??= run;
                    invocations++;
                    break;
                case UnitStarted start:
                    lastStart[new UnitKey(start.Seed, start.Label)] = i;
                    if (strategyOf.TryAdd(start.Label, start.Strategy) && start.Label != RunRecord.BasePolicyLabel)
                    {
                        labels.Add(start.Label);
                    }

                    break;
            }
        }

        var finished = new List<FinishedUnit>();
        var failures = new List<FailedUnit>();
        foreach ((UnitKey key, IReadOnlyList<RunRecord> own) in LastStarts(records, lastStart))
        {
            switch (own.Count == 0 ? null : own[^1])
            {
                case UnitFinished end:
                    finished.Add(new FinishedUnit(key, end, own));
                    break;
                case UnitFailed failure:
                    failures.Add(new FailedUnit(key.Seed, key.Label, failure.Phase, failure.Error));
                    break;
            }
        }

        var strategies = labels
            .Select(label => SummarizeStrategy(label, strategyOf[label], finished.Where(u => u.Key.Label == label).OrderBy(u => u.Key.Seed).ToList()))
            .ToList();
        if (labels.Count > 1)
        {
            var reference = Outcomes(finished, labels[0]);
            for (int i = 1; i < strategies.Count; i++)
            {
                strategies[i] = strategies[i] with { VersusReference = Pair(labels[0], reference, Outcomes(finished, labels[i])) };
            }
        }

        if (firstRun is not null && BudgetFlopsOf(firstRun.SpecText) is { } budget)
        {
            for (int i = 0; i < strategies.Count; i++)
            {
                strategies[i] = strategies[i] with { Budget = SummarizeBudget(budget, finished.Where(u => u.Key.Label == labels[i]).OrderBy(u => u.Key.Seed)) };
            }
        }

        List<FinishedUnit> baseUnits = finished.Where(u => u.Key.Label == RunRecord.BasePolicyLabel).OrderBy(u => u.Key.Seed).ToList();
        BasePolicySummary? basePolicy = baseUnits.Count == 0
            ? null
            : new BasePolicySummary(baseUnits.Select(u => u.Key.Seed).ToList(), SummarizePhase(SftPhase, baseUnits, perQuestion: false));

        EnvironmentSummary? environment = firstRun is null
            ? null
            : new EnvironmentSummary(firstRun.Experiment, firstRun.SpecHash, firstRun.StartedUtc, invocations, firstRun.Environment);

        IReadOnlyList<MissingUnit> missing = firstRun is null ? [] : Missing(firstRun.SpecText, finished.Select(u => u.Key).Concat(failures.Select(f => new UnitKey(f.Seed, f.Label))));
        return new RunSummary(environment, strategies, basePolicy, failures, CollectCurves(finished), missing);
    }

    /// <summary>
    /// Units the spec has (its seeds × the base policy and every strategy label, read from the canonical spec text)
    /// that neither finished nor failed: never started, interrupted, or lost with their records. Grouped by label in
    /// the spec's order, the base policy first; empty when the spec text does not name its seeds.
    /// </summary>
    internal static IReadOnlyList<MissingUnit> Missing(string canonicalSpec, IEnumerable<UnitKey> ended)
    {
        var seeds = new List<long>();
        var labels = new List<string> { RunRecord.BasePolicyLabel };
        foreach (string line in canonicalSpec.Split('\n'))
        {
            if (line.StartsWith("seeds: [", StringComparison.Ordinal) && line.EndsWith(']'))
            {
                foreach (string seed in line["seeds: [".Length..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!long.TryParse(seed, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long value))
                    {
                        return [];
                    }

                    seeds.Add(value);
                }
            }
            else if (line.StartsWith("strategies[", StringComparison.Ordinal) && line.IndexOf("].label: ", StringComparison.Ordinal) is int at and > 0)
            {
                labels.Add(line[(at + "].label: ".Length)..]);
            }
        }

        var done = ended.ToHashSet();
        return labels
            .Select(label => new MissingUnit(label, seeds.Where(seed => !done.Contains(new UnitKey(seed, label))).ToList()))
            .Where(m => m.Seeds.Count > 0)
            .ToList();
    }

    /// <summary>
    /// Each unit with the records of its last start (those after its last <see cref="UnitStarted"/>), in the order of
    /// those starts: the unit finished when they end with <see cref="UnitFinished"/>.
    /// </summary>
    internal static IReadOnlyList<(UnitKey Key, IReadOnlyList<RunRecord> Records)> LastStarts(IReadOnlyList<RunRecord> records)
    {
        var lastStart = new Dictionary<UnitKey, int>();
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i] is UnitStarted start)
            {
                lastStart[new UnitKey(start.Seed, start.Label)] = i;
            }
        }

        return LastStarts(records, lastStart);
    }

    private static IReadOnlyList<(UnitKey Key, IReadOnlyList<RunRecord> Records)> LastStarts(IReadOnlyList<RunRecord> records, Dictionary<UnitKey, int> lastStart)
    {
        var unitRecords = new Dictionary<UnitKey, List<RunRecord>>();
        for (int i = 0; i < records.Count; i++)
        {
            if (UnitOf(records[i]) is { } key && lastStart.TryGetValue(key, out int start) && i > start)
            {
                if (!unitRecords.TryGetValue(key, out List<RunRecord>? list))
                {
                    unitRecords[key] = list = [];
                }

                list.Add(records[i]);
            }
        }

        return lastStart.OrderBy(pair => pair.Value)
            .Select(pair => (pair.Key, (IReadOnlyList<RunRecord>?)unitRecords.GetValueOrDefault(pair.Key) ?? []))
            .ToList();
    }

    /// <summary>The <c>budget.flops</c> line of a spec's canonical text; null for a run without a budget.</summary>
    internal static double? BudgetFlopsOf(string canonicalSpec)
    {
        const string prefix = "budget.flops: ";
        foreach (string line in canonicalSpec.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal)
                && double.TryParse(line.AsSpan(prefix.Length), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double flops))
            {
                return flops;
            }
        }

        return null;
    }

    /// <summary>Per finished seed: the measured training plus inference FLOPs, and the budget choice when the runner made one.</summary>
    private static BudgetSummary SummarizeBudget(double budget, IEnumerable<FinishedUnit> units)
    {
        var seeds = new List<BudgetSeed>();
        string? option = null;
        foreach (FinishedUnit unit in units)
        {
            double total = unit.Records.OfType<PhaseRecord>().Where(p => p.Phase is TrainPhase or InferencePhase).Sum(p => p.Flops);
            BudgetChoice? choice = unit.Records.OfType<BudgetChoice>().LastOrDefault();
            option ??= choice?.Option;
            seeds.Add(choice is null
                ? new BudgetSeed(unit.Key.Seed, total)
                : new BudgetSeed(unit.Key.Seed, total, choice.Value, choice.PredictedFlops, choice.Limit, choice.Unconstrained, choice.CalibrationFlops));
        }

        return new BudgetSummary(budget, option, seeds);
    }

    /// <summary>Whether each (seed, question id) the label's finished units answered was verified correct.</summary>
    private static Dictionary<(long Seed, string Question), bool> Outcomes(IReadOnlyList<FinishedUnit> finished, string label)
    {
        var outcomes = new Dictionary<(long, string), bool>();
        foreach (FinishedUnit unit in finished.Where(u => u.Key.Label == label))
        {
            foreach (AttemptRecord attempt in unit.Records.OfType<AttemptRecord>())
            {
                outcomes[(attempt.Seed, attempt.QuestionId)] = attempt.Correct;
            }
        }

        return outcomes;
    }

    /// <summary>The paired comparison over the questions both answered; null when they share none.</summary>
    internal static PairedComparison? Pair(string referenceLabel, IReadOnlyDictionary<(long Seed, string Question), bool> reference, IReadOnlyDictionary<(long Seed, string Question), bool> other)
    {
        int questions = 0, onlyOther = 0, onlyReference = 0;
        foreach (((long, string) key, bool right) in other)
        {
            if (reference.TryGetValue(key, out bool referenceRight))
            {
                questions++;
                onlyOther += right && !referenceRight ? 1 : 0;
                onlyReference += referenceRight && !right ? 1 : 0;
            }
        }

        return questions == 0 ? null : new PairedComparison(referenceLabel, questions, onlyOther, onlyReference, Statistics.McNemarExact(onlyReference, onlyOther));
    }

    private static StrategySummary SummarizeStrategy(string label, string strategy, IReadOnlyList<FinishedUnit> units)
    {
        var seeds = units.Select(u => new SeedResult(u.Key.Seed, u.End.Questions, u.End.Correct)).ToList();
        return new StrategySummary(
            label,
            strategy,
            seeds,
            SummarizeAccuracy(seeds),
            SummarizePhase(TrainPhase, units, perQuestion: false),
            SummarizePhase(InferencePhase, units, perQuestion: true),
            SummarizeRewardGauge(units.SelectMany(u => u.Records.OfType<AttemptRecord>()).ToList()));
    }

    /// <summary>The reward-hacking gauge over attempts that list scored candidates; null when none does.</summary>
    internal static RewardGauge? SummarizeRewardGauge(IReadOnlyList<AttemptRecord> attempts)
    {
        int questions = 0, preferredWrong = 0;
        double rankedPairs = 0, pairs = 0;
        var scores = new List<double>();
        var correct = new List<double>();
        foreach (AttemptRecord attempt in attempts)
        {
            if (attempt.CandidateScores is not { Count: > 0 } candidateScores || attempt.CandidateCorrect is not { } candidateCorrect
                || candidateCorrect.Count != candidateScores.Count)
            {
                continue;
            }

            questions++;
            int best = 0;
            for (int i = 1; i < candidateScores.Count; i++)
            {
                best = candidateScores[i] > candidateScores[best] ? i : best;
            }

            preferredWrong += candidateCorrect[best] ? 0 : 1;
            for (int right = 0; right < candidateScores.Count; right++)
            {
                for (int wrong = 0; wrong < candidateScores.Count; wrong++)
                {
                    if (candidateCorrect[right] && !candidateCorrect[wrong])
                    {
                        pairs++;
                        rankedPairs += candidateScores[right] > candidateScores[wrong] ? 1 : candidateScores[right] == candidateScores[wrong] ? 0.5 : 0;
                    }
                }
            }

            scores.AddRange(candidateScores);
            correct.AddRange(candidateCorrect.Select(c => c ? 1.0 : 0.0));
        }

        return questions == 0
            ? null
            : new RewardGauge(questions, preferredWrong, scores.Count, Statistics.PearsonCorrelation(scores, correct), (int)correct.Sum(), pairs == 0 ? null : rankedPairs / pairs);
    }

    private static AccuracySummary? SummarizeAccuracy(IReadOnlyList<SeedResult> seeds)
    {
        long correct = seeds.Sum(s => (long)s.Correct);
        long total = seeds.Sum(s => (long)s.Questions);
        if (total == 0)
        {
            return null;
        }

        Interval wilson = Statistics.Wilson(correct, total);
        var perSeed = seeds.Where(s => s.Questions > 0).Select(s => s.Accuracy).ToList();
        return new AccuracySummary(
            correct,
            total,
            (double)correct / total,
            wilson.Low,
            wilson.High,
            Statistics.Mean(perSeed) ?? 0,
            Statistics.SampleStandardDeviation(perSeed));
    }

    private static PhaseSummary? SummarizePhase(string phase, IReadOnlyList<FinishedUnit> units, bool perQuestion)
    {
        var seeds = new List<(PhaseRecord Phase, int Questions)>();
        foreach (FinishedUnit unit in units)
        {
            var parts = unit.Records.OfType<PhaseRecord>().Where(p => p.Phase == phase).ToList();
            if (parts.Count > 0)
            {
                seeds.Add((Combine(parts), unit.End.Questions));
            }
        }

        if (seeds.Count == 0)
        {
            return null;
        }

        var asked = seeds.Where(s => s.Questions > 0).ToList();
        PerQuestionFigures? perQuestionFigures = perQuestion && asked.Count > 0
            ? new PerQuestionFigures(
                asked.Average(s => (double)s.Phase.GeneratedTokens / s.Questions),
                asked.Average(s => (double)s.Phase.ProcessedTokens / s.Questions),
                asked.Average(s => (double)s.Phase.TrainedTokens / s.Questions),
                asked.Average(s => s.Phase.Flops / s.Questions),
                asked.Average(s => s.Phase.WallSeconds / s.Questions))
            : null;

        long? peakDevice = seeds.Any(s => s.Phase.PeakDeviceBytes is not null)
            ? seeds.Max(s => s.Phase.PeakDeviceBytes ?? 0)
            : null;
        return new PhaseSummary(
            phase,
            seeds.Count,
            seeds.Average(s => (double)s.Phase.GeneratedTokens),
            seeds.Average(s => (double)s.Phase.ProcessedTokens),
            seeds.Average(s => (double)s.Phase.TrainedTokens),
            seeds.Average(s => s.Phase.Flops),
            seeds.Average(s => s.Phase.WallSeconds),
            seeds.Max(s => s.Phase.PeakResidentBytes),
            peakDevice,
            seeds.Max(s => s.Phase.EstimatedPeakBytes),
            perQuestionFigures,
            seeds.Count(s => s.Phase.Reused));
    }

    /// <summary>A unit normally records a phase once; if it recorded it in parts, the parts add up and the peaks are the largest.</summary>
    private static PhaseRecord Combine(IReadOnlyList<PhaseRecord> parts) => parts.Count == 1
        ? parts[0]
        : parts[0] with
        {
            GeneratedTokens = parts.Sum(p => p.GeneratedTokens),
            ProcessedTokens = parts.Sum(p => p.ProcessedTokens),
            TrainedTokens = parts.Sum(p => p.TrainedTokens),
            Flops = parts.Sum(p => p.Flops),
            WallSeconds = parts.Sum(p => p.WallSeconds),
            PeakResidentBytes = parts.Max(p => p.PeakResidentBytes),
            PeakDeviceBytes = parts.Any(p => p.PeakDeviceBytes is not null) ? parts.Max(p => p.PeakDeviceBytes ?? 0) : null,
            EstimatedPeakBytes = parts.Max(p => p.EstimatedPeakBytes),
            Reused = parts.Any(p => p.Reused),
        };

    /// <summary>Series ordered by the first appearance of (label, curve) in units ordered by start, then by seed; points by step.</summary>
    private static List<CurveSeries> CollectCurves(IReadOnlyList<FinishedUnit> finished)
    {
        var order = new Dictionary<(string Label, string Curve), int>();
        var points = new Dictionary<(string Label, string Curve, long Seed), List<CurveValue>>();
        foreach (FinishedUnit unit in finished)
        {
            foreach (CurvePoint point in unit.Records.OfType<CurvePoint>())
            {
                order.TryAdd((point.Label, point.Curve), order.Count);
                var key = (point.Label, point.Curve, point.Seed);
                if (!points.TryGetValue(key, out List<CurveValue>? list))
                {
                    points[key] = list = [];
                }

                list.Add(new CurveValue(point.Step, point.Value));
            }
        }

        return points
            .OrderBy(p => order[(p.Key.Label, p.Key.Curve)])
            .ThenBy(p => p.Key.Seed)
            .Select(p => new CurveSeries(p.Key.Label, p.Key.Curve, p.Key.Seed, p.Value.OrderBy(v => v.Step).ToList()))
            .ToList();
    }

    private static UnitKey? UnitOf(RunRecord record) => record switch
    {
        UnitStarted r => new UnitKey(r.Seed, r.Label),
        AttemptRecord r => new UnitKey(r.Seed, r.Label),
        PhaseRecord r => new UnitKey(r.Seed, r.Label),
        CurvePoint r => new UnitKey(r.Seed, r.Label),
        UnitFinished r => new UnitKey(r.Seed, r.Label),
        UnitFailed r => new UnitKey(r.Seed, r.Label),
        BudgetChoice r => new UnitKey(r.Seed, r.Label),
        CacheCommitted r => new UnitKey(r.Seed, r.Label),
        _ => null,
    };

    internal readonly record struct UnitKey(long Seed, string Label);

    /// <summary>A finished unit: its end record and every record of its last start.</summary>
    private sealed record FinishedUnit(UnitKey Key, UnitFinished End, IReadOnlyList<RunRecord> Records);
}
