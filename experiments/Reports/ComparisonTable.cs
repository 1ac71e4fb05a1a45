using System.Text;
using Reasoning.Experiments.Records;

namespace Reasoning.Experiments.Reports;

/// <summary>
/// The comparison table of one run, in Markdown (for people) and CSV (every number, for tools). Both are
/// deterministic: the same records give byte-identical text.
/// </summary>
internal static class ComparisonTable
{
    /// <summary>The Markdown table's columns after the first.</summary>
    private static readonly string[] Columns =
    [
        "seeds",
        "accuracy (95% CI)",
        "mean ± sd over seeds",
        "train tokens (generated)",
        "train FLOPs",
        "train peak RSS (MiB)",
        "train time (s)",
        "inference tokens / question (generated)",
        "inference FLOPs / question",
        "inference peak RSS (MiB)",
        "inference time / question (ms)",
    ];

    /// <summary>One sentence per column group, citing the definitions in ARCHITECTURE.md ("Measurements").</summary>
    internal static readonly string[] Legend =
    [
        "- accuracy: fraction of test questions whose final answer the task verifies, pooled over seeds, with its 95% Wilson score interval; mean ± sd: the mean and sample standard deviation (n − 1, in percentage points) of the per-seed accuracies.",
        "- tokens: generated tokens are those sampled by any model, kept or discarded (search branches, Monte-Carlo rollouts and GRPO groups all count); train figures are means over seeds, inference figures are means over seeds of each seed's total divided by its test questions.",
        "- FLOPs: 2·P·processed tokens + 6·P·trained tokens + the attention term, summed over every model that did work (P its parameters).",
        "- peak RSS: the process's peak resident set during the phase (reset between phases), the largest over seeds; 1 MiB = 2^20 bytes.",
        "- time: monotonic wall time of the phase, mean over seeds (inference: per question).",
    ];

    /// <summary>Where the answers behind a run's table are, for its legend (a sweep's table points into its value folders).</summary>
    internal const string AttemptsLine =
        "- the answers behind these figures: `attempts <this folder>` shows each question's solution with its step verdicts, answer and scored candidates (`--strategy`, `--seed`, `--wrong`; `--format jsonl` or `csv` exports them).";

    public static string Markdown(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var text = new StringBuilder();
        AppendHeader(text, ["strategy"]);
        foreach (StrategySummary strategy in summary.Strategies)
        {
            AppendRow(text, [strategy.Label], strategy);
        }

        text.Append('\n');
        foreach (string line in Legend)
        {
            text.Append(line).Append('\n');
        }

        text.Append(AttemptsLine).Append('\n');

        text.Append('\n').Append(BasePolicyLine(summary.BasePolicy)).Append('\n');
        foreach (StrategySummary strategy in summary.Strategies.Where(s => s.Train is { ReusedSeeds: > 0 }))
        {
            text.Append($"{EscapeCell(strategy.Label)}: the train figures of {Formats.Exact(strategy.Train!.ReusedSeeds)} of {Formats.Exact(strategy.Train.Seeds)} seeds include a cached model another strategy trained, charged at the cost recorded when it was trained.\n");
        }

        AppendBudget(text, summary.Strategies);
        AppendPairedComparisons(text, summary.Strategies);
        AppendRewardGauges(text, summary.Strategies);
        AppendFailures(text, summary.Failures);
        AppendMissing(text, summary.Missing);
        text.Append('\n').Append(EnvironmentLine(summary.Environment)).Append('\n');
        return text.ToString();
    }

    public static string Csv(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var text = new StringBuilder();
        text.AppendJoin(',', CsvColumns.Select(c => c.Header)).Append('\n');
        foreach (StrategySummary strategy in summary.Strategies)
        {
            text.AppendJoin(',', CsvColumns.Select(c => CsvField(c.Value(strategy)))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The header and alignment lines: <paramref name="leading"/> columns (left-aligned), the figures, then <paramref name="trailing"/> ones.</summary>
    internal static void AppendHeader(StringBuilder text, IReadOnlyList<string> leading, IReadOnlyList<string>? trailing = null)
    {
        trailing ??= [];
        text.Append("| ").AppendJoin(" | ", leading.Concat(Columns).Concat(trailing)).Append(" |\n");
        text.Append('|').Append(string.Concat(Enumerable.Repeat("---|", leading.Count)))
            .Append(string.Concat(Enumerable.Repeat("---:|", Columns.Length + trailing.Count))).Append('\n');
    }

    /// <summary>One table row: the <paramref name="leading"/> cells, the strategy's figures, then the <paramref name="trailing"/> cells.</summary>
    internal static void AppendRow(StringBuilder text, IReadOnlyList<string> leading, StrategySummary s, IReadOnlyList<string>? trailing = null)
    {
        AccuracySummary? a = s.Accuracy;
        PhaseSummary? train = s.Train;
        PhaseSummary? inference = s.Inference;
        PerQuestionFigures? perQuestion = inference?.PerQuestion;
        string[] cells =
        [
            .. leading.Select(EscapeCell),
            s.Seeds.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            a is null ? Formats.Missing : $"{Formats.Percent(a.Pooled)} [{Formats.Points(a.WilsonLow)}, {Formats.Points(a.WilsonHigh)}]",
            a is null ? Formats.Missing : $"{Formats.Percent(a.MeanOverSeeds)} ± {(a.StandardDeviationOverSeeds is { } sd ? Formats.Points(sd) : Formats.Missing)}",
            train is null ? Formats.Missing : Formats.Count(train.GeneratedTokens),
            train is null ? Formats.Missing : Formats.Scientific(train.Flops),
            train is null ? Formats.Missing : Formats.Mebibytes(train.PeakResidentBytes),
            train is null ? Formats.Missing : Formats.OneDecimal(train.WallSeconds),
            perQuestion is null ? Formats.Missing : Formats.OneDecimal(perQuestion.GeneratedTokens),
            perQuestion is null ? Formats.Missing : Formats.Scientific(perQuestion.Flops),
            inference is null ? Formats.Missing : Formats.Mebibytes(inference.PeakResidentBytes),
            perQuestion is null ? Formats.Missing : Formats.OneDecimal(perQuestion.WallSeconds * 1000),
            .. (trailing ?? []).Select(EscapeCell),
        ];
        text.Append("| ").AppendJoin(" | ", cells).Append(" |\n");
    }

    internal static string BasePolicyLine(BasePolicySummary? basePolicy)
    {
        if (basePolicy is null)
        {
            return "Base policy: no finished base-policy unit.";
        }

        string seeds = string.Join(", ", basePolicy.Seeds.Select(Formats.Exact));
        if (basePolicy.Sft is not { } sft)
        {
            return $"Base policy (seeds {seeds}): no sft phase recorded.";
        }

        string cost =
            $"{Formats.Count(sft.GeneratedTokens)} tokens generated, {Formats.Count(sft.ProcessedTokens)} processed, {Formats.Count(sft.TrainedTokens)} trained, " +
            $"{Formats.Scientific(sft.Flops)} FLOPs, {Formats.OneDecimal(sft.WallSeconds)} s (means per seed), " +
            $"peak RSS {Formats.Mebibytes(sft.PeakResidentBytes)} MiB (estimate {Formats.Mebibytes(sft.EstimatedPeakBytes)} MiB)";
        string reuse = sft.ReusedSeeds == 0 ? ""
            : sft.ReusedSeeds == sft.Seeds ? "; reused from cache, cost as recorded when trained"
            : $"; {sft.ReusedSeeds} of {sft.Seeds} seeds reused from cache, cost as recorded when trained";
        return $"Base policy (SFT, seeds {seeds}): {cost}{reuse}.";
    }

    /// <summary>One line per strategy after the first: its paired difference from the first on the same questions, and McNemar's p.</summary>
    internal static void AppendPairedComparisons(StringBuilder text, IReadOnlyList<StrategySummary> strategies)
    {
        var paired = strategies.Where(s => s.VersusReference is not null).ToList();
        if (paired.Count == 0)
        {
            return;
        }

        PairedComparison first = paired[0].VersusReference!;
        text.Append($"\nPaired against {EscapeCell(first.Reference)} on the same questions (seed and question id; McNemar's exact test, two-sided; significant: p < {Formats.TwoDecimals(PairedComparison.Level)}):\n");
        foreach (StrategySummary strategy in paired)
        {
            PairedComparison c = strategy.VersusReference!;
            string gain = Formats.SignedPoints(c.Gain);
            text.Append($"- {EscapeCell(strategy.Label)}: {gain} points over {Formats.Exact(c.Questions)} questions; right where {EscapeCell(c.Reference)} was wrong on {Formats.Exact(c.OnlyThisRight)}, " +
                $"wrong where it was right on {Formats.Exact(c.OnlyReferenceRight)}; p = {Formats.PValue(c.PValue)} ({(c.Significant ? "significant" : "not significant")}).\n");
        }
    }

    /// <summary>For a run with a compute budget: per strategy, the value the runner chose for its budgeted option and what it spent.</summary>
    internal static void AppendBudget(StringBuilder text, IReadOnlyList<StrategySummary> strategies)
    {
        var budgeted = strategies.Where(s => s.Budget is { Seeds.Count: > 0 }).ToList();
        if (budgeted.Count == 0)
        {
            return;
        }

        double budget = budgeted[0].Budget!.BudgetFlops;
        text.Append($"\nCompute budget: {Formats.Scientific(budget)} FLOPs per seed for each strategy's training plus its inference over the test questions (the base policy's fine-tuning, shared by all, is not counted). ")
            .Append("A budgeted option was sized by running the strategy at two pilot values on train questions and taking the total as a line in the option; the calibration runs are not charged to the budget.\n");
        foreach (StrategySummary strategy in budgeted)
        {
            BudgetSummary b = strategy.Budget!;
            string spent = $"spent {Formats.Scientific(b.MeanTotalFlops)} FLOPs per seed ({Formats.Percent(b.MeanTotalFlops / budget)} of the budget; seeds {string.Join(", ", b.Seeds.Select(x => Formats.Percent(x.TotalFlops / budget)))})";
            if (b.Option is null)
            {
                text.Append($"- {EscapeCell(strategy.Label)}: no budgeted option; {spent}.\n");
                continue;
            }

            string values = string.Join(", ", b.Seeds.Select(x => Formats.Exact(x.Value)));
            var bounds = b.Seeds.Where(x => x.Limit is not null && x.Limit != BudgetChoice.BoundByBudget).Select(x => x.Limit switch
            {
                BudgetChoice.BoundByMax => $"seed {Formats.Exact(x.Seed)} at its cap (the budget allowed {Formats.Count(x.Unconstrained ?? 0)})",
                BudgetChoice.BoundByFlatCost => $"seed {Formats.Exact(x.Seed)} at the larger pilot value (its cost did not rise between the pilots)",
                _ => $"seed {Formats.Exact(x.Seed)} at its minimum, over the budget",
            }).ToList();
            double predicted = b.Seeds.Where(x => x.PredictedFlops is not null).Select(x => x.PredictedFlops!.Value).DefaultIfEmpty(0).Average();
            double calibration = b.Seeds.Where(x => x.CalibrationFlops is not null).Select(x => x.CalibrationFlops!.Value).DefaultIfEmpty(0).Average();
            text.Append($"- {EscapeCell(strategy.Label)}: {b.Option} = {values} (seeds {string.Join(", ", b.Seeds.Select(x => Formats.Exact(x.Seed)))})")
                .Append(bounds.Count == 0 ? "" : $"; {string.Join("; ", bounds)}")
                .Append($"; predicted {Formats.Scientific(predicted)}, {spent}; its calibration runs were charged {Formats.Scientific(calibration)} FLOPs per seed (a model taken from the cache counts at its recorded cost in each).\n");
        }
    }

    /// <summary>One line per strategy guided by a learned reward model: how often its favourite is wrong, and how its scores track correctness.</summary>
    internal static void AppendRewardGauges(StringBuilder text, IReadOnlyList<StrategySummary> strategies)
    {
        var gauged = strategies.Where(s => s.RewardGauge is not null).ToList();
        if (gauged.Count == 0)
        {
            return;
        }

        text.Append("\nReward-hacking gauge (test questions; the runner verified every candidate the reward model scored):\n");
        foreach (StrategySummary strategy in gauged)
        {
            RewardGauge g = strategy.RewardGauge!;
            string correlation = g.Correlation is double r ? Formats.TwoDecimals(r) : "undefined (constant scores or correctness)";
            text.Append($"- {EscapeCell(strategy.Label)}: the reward model's favourite answer is wrong on {Formats.Exact(g.PreferredWrong)} of {Formats.Exact(g.Questions)} questions ({Formats.Percent(g.PreferredWrongRate)}); " +
                $"{Formats.Percent(g.CandidateAccuracy)} of its {Formats.Exact(g.Candidates)} candidates are right; correlation of its scores with correctness r = {correlation}; " +
                $"within a question it ranks a right answer above a wrong one with AUC {(g.WithinQuestionAuc is double auc ? Formats.TwoDecimals(auc) : "undefined (no question with both)")}.\n");
        }
    }

    internal static void AppendFailures(StringBuilder text, IReadOnlyList<FailedUnit> failures)
    {
        if (failures.Count == 0)
        {
            return;
        }

        text.Append("\nFailed units:\n");
        foreach (FailedUnit failure in failures)
        {
            text.Append($"- {failure.Label}, seed {Formats.Exact(failure.Seed)} ({failure.Phase}): {OneLine(failure.Error)}\n");
        }
    }

    internal static void AppendMissing(StringBuilder text, IReadOnlyList<MissingUnit> missing)
    {
        if (missing.Count == 0)
        {
            return;
        }

        text.Append("\nMissing units (in the spec, not in the records: not run yet, interrupted, or their records were lost; `run` runs them):\n");
        foreach (MissingUnit unit in missing)
        {
            text.Append($"- {EscapeCell(unit.Label)}: seed{(unit.Seeds.Count == 1 ? "" : "s")} {string.Join(", ", unit.Seeds.Select(seed => Formats.Exact(seed)))} missing\n");
        }
    }

    internal static string EnvironmentLine(EnvironmentSummary? environment)
    {
        if (environment is null)
        {
            return "Environment: not recorded.";
        }

        RunEnvironment m = environment.Machine;
        string invocations = environment.Invocations == 1 ? "1 invocation" : $"{environment.Invocations} invocations";
        return $"Environment: experiment {environment.Experiment}, spec hash {environment.SpecHash}, first started {environment.StartedUtc} ({invocations}); " +
            $"{m.Dotnet}, TorchSharp {m.TorchSharp}, LibTorch {m.LibTorch}; {m.OperatingSystem}; CPU {m.Cpu} ({m.Cores} cores); " +
            $"device {m.Device}, {m.Threads} threads; git commit {m.GitCommit ?? "unknown"}.";
    }

    internal static string EscapeCell(string text) => OneLine(text).Replace("|", "\\|", StringComparison.Ordinal);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static readonly (string Header, Func<StrategySummary, string> Value)[] CsvColumns =
    [
        ("strategy", s => s.Label),
        ("type", s => s.Strategy),
        ("seeds", s => Formats.Exact(s.Seeds.Count)),
        ("seed_list", s => string.Join(';', s.Seeds.Select(r => Formats.Exact(r.Seed)))),
        ("correct", s => Formats.Exact(s.Accuracy?.Correct)),
        ("questions", s => Formats.Exact(s.Accuracy?.Total)),
        ("accuracy", s => Formats.Exact(s.Accuracy?.Pooled)),
        ("wilson_low", s => Formats.Exact(s.Accuracy?.WilsonLow)),
        ("wilson_high", s => Formats.Exact(s.Accuracy?.WilsonHigh)),
        ("seed_accuracies", s => string.Join(';', s.Seeds.Select(r => Formats.Exact(r.Accuracy)))),
        ("seed_accuracy_mean", s => Formats.Exact(s.Accuracy?.MeanOverSeeds)),
        ("seed_accuracy_sd", s => Formats.Exact(s.Accuracy?.StandardDeviationOverSeeds)),
        .. PhaseColumns("train", s => s.Train),
        .. PhaseColumns("inference", s => s.Inference),
        ("inference_generated_tokens_per_question", s => Formats.Exact(s.Inference?.PerQuestion?.GeneratedTokens)),
        ("inference_processed_tokens_per_question", s => Formats.Exact(s.Inference?.PerQuestion?.ProcessedTokens)),
        ("inference_trained_tokens_per_question", s => Formats.Exact(s.Inference?.PerQuestion?.TrainedTokens)),
        ("inference_flops_per_question", s => Formats.Exact(s.Inference?.PerQuestion?.Flops)),
        ("inference_wall_seconds_per_question", s => Formats.Exact(s.Inference?.PerQuestion?.WallSeconds)),
        ("paired_reference", s => s.VersusReference?.Reference ?? ""),
        ("paired_questions", s => Formats.Exact(s.VersusReference?.Questions)),
        ("paired_only_this_right", s => Formats.Exact(s.VersusReference?.OnlyThisRight)),
        ("paired_only_reference_right", s => Formats.Exact(s.VersusReference?.OnlyReferenceRight)),
        ("paired_gain", s => Formats.Exact(s.VersusReference?.Gain)),
        ("mcnemar_p", s => Formats.Exact(s.VersusReference?.PValue)),
        ("gauge_questions", s => Formats.Exact(s.RewardGauge?.Questions)),
        ("gauge_preferred_wrong", s => Formats.Exact(s.RewardGauge?.PreferredWrong)),
        ("gauge_candidates", s => Formats.Exact(s.RewardGauge?.Candidates)),
        ("gauge_correlation", s => Formats.Exact(s.RewardGauge?.Correlation)),
        ("gauge_correct_candidates", s => Formats.Exact(s.RewardGauge?.CorrectCandidates)),
        ("gauge_within_question_auc", s => Formats.Exact(s.RewardGauge?.WithinQuestionAuc)),
        ("budget_flops", s => Formats.Exact(s.Budget?.BudgetFlops)),
        ("budget_option", s => s.Budget?.Option ?? ""),
        ("budget_values", s => string.Join(';', s.Budget?.Seeds.Select(b => Formats.Exact(b.Value)) ?? [])),
        ("budget_total_flops_mean", s => Formats.Exact(s.Budget?.MeanTotalFlops)),
    ];

    private static (string Header, Func<StrategySummary, string> Value)[] PhaseColumns(string prefix, Func<StrategySummary, PhaseSummary?> phase) =>
    [
        ($"{prefix}_seeds", s => Formats.Exact((long?)phase(s)?.Seeds)),
        ($"{prefix}_generated_tokens", s => Formats.Exact(phase(s)?.GeneratedTokens)),
        ($"{prefix}_processed_tokens", s => Formats.Exact(phase(s)?.ProcessedTokens)),
        ($"{prefix}_trained_tokens", s => Formats.Exact(phase(s)?.TrainedTokens)),
        ($"{prefix}_flops", s => Formats.Exact(phase(s)?.Flops)),
        ($"{prefix}_wall_seconds", s => Formats.Exact(phase(s)?.WallSeconds)),
        ($"{prefix}_peak_resident_bytes", s => Formats.Exact(phase(s)?.PeakResidentBytes)),
        ($"{prefix}_peak_device_bytes", s => Formats.Exact(phase(s)?.PeakDeviceBytes)),
        ($"{prefix}_estimated_peak_bytes", s => Formats.Exact(phase(s)?.EstimatedPeakBytes)),
    ];
}
