using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using Reasoning.Policy.Training;
using Reasoning.ProcessReward;
using Reasoning.ProcessReward.Labels;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;
using Reasoning.ProcessReward.Training;
using TorchSharp;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>A reward model ready to guide a search, with how it did on held-out labelled problems.</summary>
internal sealed record PreparedRewardModel(IStepScorer Model, RewardModelMetrics HeldOut, bool Reused);

/// <summary>
/// A strategy's <c>Prepare</c> for reward-guided search: sample solutions of train problems from the base
/// policy, label their steps (exact or Monte-Carlo), train a reward model initialised from the base policy,
/// measure it on held-out problems, and cache it. Every token sampled, rolled out and trained is charged to the
/// strategy's meter (phase <c>train</c>); a model taken from the cache is charged at its recorded cost.
/// </summary>
internal static class RewardModelPreparation
{
    /// <summary>Bump when the recipe below changes in a way that changes the model a key produces.</summary>
    private const int RecipeVersion = 1;

    public static async Task<PreparedRewardModel> PrepareAsync(RewardModelSettings settings, StrategyContext context)
    {
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        if (settings.RewardCheckpoint.Length > 0)
        {
            return LoadPretrained(settings, context, policy);
        }

        string key = Key(settings, context, policy);
        RewardModelStore? store = context.Cache is null ? null : new RewardModelStore(context.Cache, context.Logger);
        ISolutionFormat format = context.Task.SolutionFormat;
        if (store?.TryLoad(key, policy.Base.Model, policy.Base.Tokenizer, policy.Host.Device) is { } cached)
        {
            cached.Model.WithFormat(format);
            context.Meter.RecordReused(cached.Record.Cost);
            RecordMetrics(context, cached.Record.HeldOut, cached.Record.LossCurve);
            context.Progress.Report($"reward model from the cache (held-out AUC {cached.Record.HeldOut.Auc:F3})");
            return new PreparedRewardModel(cached.Model, cached.Record.HeldOut, Reused: true);
        }

        var clock = Stopwatch.StartNew();
        var tap = new MeterTap(context.Meter);
        IReadOnlyList<LabeledSolution> labelled = await LabelAsync(settings, context, policy, tap);
        context.Progress.Report($"labelled {labelled.Count} solutions ({labelled.Sum(l => l.Labels.Count)} steps); training the reward model");

        RewardModel model = (settings.RewardInitSteps == 0
            ? RewardModel.FromPolicy(policy.Base.Model, policy.Base.Tokenizer, settings.RewardModel, context.Seed, settings.RewardHead, settings.RewardBeta)
            : FromLongerFineTuning(settings, context, policy, tap, key)).WithFormat(format);
        var training = new ProcessRewardTrainingOptions(
            new RewardModelTrainingOptions(Steps: settings.RewardSteps, BatchSize: settings.RewardBatchSize, LearningRate: settings.RewardLearningRate, Seed: context.Seed),
            settings.HeldOutFraction);
        var snapshots = new TrainingSnapshots(context.SnapshotFolder("reward"), context.SnapshotEvery, key);
        if (snapshots.Latest is { } resumed)
        {
            context.Progress.Report($"resuming the reward model's training at step {resumed.Step}/{settings.RewardSteps}");
        }

        TrainedRewardModel trained = ProcessRewardTraining.Train(model, labelled, training, tap, cancellation: context.Cancellation, snapshots: snapshots);
        RecordMetrics(context, trained.HeldOut, trained.LossCurve);
        context.Progress.Report($"reward model trained: held-out step accuracy {trained.HeldOut.StepAccuracy:P1}, AUC {trained.HeldOut.Auc:F3}");

        var cost = new PhaseUsage("train", tap.Total, clock.Elapsed.TotalSeconds, ResidentMemory.PeakBytes(), null, tap.EstimatedBytes);
        store?.Save(model, new RewardModelRecord(key, settings.RewardModel, cost, trained.HeldOut, trained.LossCurve, settings.RewardHead, settings.RewardBeta));
        return new PreparedRewardModel(model, trained.HeldOut, Reused: false);
    }

    /// <summary>Samples solutions of the first <see cref="RewardModelSettings.LabelProblems"/> train problems and labels their steps.</summary>
    private static async Task<IReadOnlyList<LabeledSolution>> LabelAsync(RewardModelSettings settings, StrategyContext context, PolicySession policy, IUsageMeter meter)
    {
        IReadOnlyList<Problem> problems = context.TrainProblems.Take(settings.LabelProblems).ToList();
        int n = settings.SamplesPerProblem;
        var prompts = problems.SelectMany(p => Enumerable.Repeat(p.Prompt, n)).ToList();
        var sampling = new SamplingOptions(settings.LabelTemperature, 1.0, settings.MaxNewTokens, StopAt.EndOfAnswer, Seed: SeedFor(context.Seed, "reward/samples"));
        IReadOnlyList<Completion> completions = await policy.Host.GenerateAsync(policy.Base, prompts, sampling, meter, context.Cancellation);
        var solutions = completions.Select((c, i) => (Problem: problems[i / n], Completion: c.Text)).ToList();
        if (settings.Labels == StepLabelSource.Exact)
        {
            return solutions.Select(s => ExactStepLabels.Label(context.Task, s.Problem, s.Completion)).ToList();
        }

        RolloutFunction rollout = async (prefixes, k, cancellation) =>
        {
            var ids = new List<IReadOnlyList<int>>(prefixes.Count * k);
            foreach ((Problem problem, IReadOnlyList<string> prefix) in prefixes)
            {
                ids.AddRange(Enumerable.Repeat<IReadOnlyList<int>>(policy.Base.Tokenizer.EncodePrefix(problem.Prompt, context.Task.SolutionFormat, prefix), k));
            }

            var options = sampling with { Seed = SeedFor(context.Seed, "reward/rollouts") };
            IReadOnlyList<Completion> rolled = await policy.Host.GenerateAsync(policy.Base, ids, options, meter, cancellation);
            return Enumerable.Range(0, prefixes.Count).Select(i => (IReadOnlyList<string>)rolled.Skip(i * k).Take(k).Select(c => c.Text).ToList()).ToList();
        };
        return await MonteCarloStepLabels.LabelAsync(context.Task, solutions, rollout, new MonteCarloOptions(settings.Rollouts), context.Cancellation);
    }

    /// <summary>
    /// A reward model whose backbone starts from a policy of the base policy's shape fine-tuned
    /// <see cref="RewardModelSettings.RewardInitSteps"/> steps on the train problems: a verifier trained more than
    /// the policy it judges. A built-in model's backbone starts from fresh weights; a pretrained model's from a copy
    /// of the pretrained base (training one from scratch would throw its pretraining away). Its fine-tuning is
    /// charged to <paramref name="meter"/>.
    /// </summary>
    private static RewardModel FromLongerFineTuning(RewardModelSettings settings, StrategyContext context, PolicySession policy, IUsageMeter meter, string key)
    {
        context.Progress.Report($"fine-tuning the reward model's backbone for {settings.RewardInitSteps} steps");
        using ModelHandle? copy = policy.Base.Tokenizer is CharTokenizer ? null : policy.Host.CreateTrainableCopy(policy.Base, "reward-backbone");
        using var fresh = copy is null ? new Transformer(policy.Base.Model.Config, context.Seed) : null;
        Transformer backbone = copy?.Model ?? fresh!;
        SupervisedFineTuning.Train(backbone, policy.Base.Tokenizer, context.TrainProblems, new FineTuningOptions(Steps: settings.RewardInitSteps, Seed: context.Seed), meter,
            cancellation: context.Cancellation, format: context.Task.SolutionFormat,
            snapshots: new TrainingSnapshots(context.SnapshotFolder("reward-backbone"), context.SnapshotEvery, key));
        backbone.to(policy.Host.Device);
        // The implicit reward is measured against the base policy, the one the search samples from.
        return RewardModel.FromPolicy(backbone, policy.Base.Tokenizer, settings.RewardModel, context.Seed, settings.RewardHead, settings.RewardBeta, reference: policy.Base.Model);
    }

    /// <summary>
    /// A pretrained token-probability PRM (<see cref="RewardModelSettings.RewardCheckpoint"/>): loaded, not trained, so
    /// the train phase charges nothing but the time it takes; it has no held-out measurement of its own.
    /// </summary>
    private static PreparedRewardModel LoadPretrained(RewardModelSettings settings, StrategyContext context, PolicySession policy)
    {
        string folder = settings.ResolvedRewardCheckpoint ?? Path.GetFullPath(settings.RewardCheckpoint);
        context.Progress.Report($"loading the pretrained reward model {Path.GetFileName(folder)}");
        var model = TokenProbabilityRewardModel.Load(folder, settings.StepTag, settings.GoodToken, settings.BadToken, policy.Host.Device, policy.Host.InferenceDtype);
        return new PreparedRewardModel(model, new RewardModelMetrics(double.NaN, double.NaN, 0, 0), Reused: false);
    }

    private static void RecordMetrics(StrategyContext context, RewardModelMetrics heldOut, IReadOnlyList<LossPoint> curve)
    {
        foreach (LossPoint point in curve)
        {
            context.Metrics.Record("reward/loss", point.Step, point.Loss);
        }

        context.Metrics.Record("reward/held_out_auc", 0, heldOut.Auc);
        context.Metrics.Record("reward/held_out_step_accuracy", 0, heldOut.StepAccuracy);
    }

    private static string Key(RewardModelSettings settings, StrategyContext context, PolicySession policy) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"v{RecipeVersion}|{policy.BaseIdentity}|{context.Task.Name}|{context.Seed}|{context.TrainProblems.Count}|{settings.Describe()}")));

    /// <summary>A seed for one purpose within a unit, so different samplings never share random streams.</summary>
    internal static long SeedFor(long seed, string purpose) => (long)(DeterministicRandom.ForPurpose(seed, purpose).NextUInt64() >> 1);
}
