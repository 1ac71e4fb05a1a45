using Reasoning.Core.Accounting;
using Reasoning.Core.Diagnostics;
using Reasoning.Core.Problems;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Training;
using Reasoning.SelfPlay.R1.Objective;
using Reasoning.SelfPlay.R1.Rewards;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Transformer = Reasoning.Policy.Model.Transformer;

namespace Reasoning.SelfPlay.R1.Training;

/// <summary>Settings of a GRPO run. The error messages name the YAML keys of the <c>r1-grpo</c> strategy.</summary>
/// <param name="Steps">Rollout batches; each is followed by <paramref name="Mu"/> policy updates.</param>
/// <param name="PromptsPerStep">Train problems per rollout batch.</param>
/// <param name="GroupSize">G: responses sampled per prompt.</param>
/// <param name="LearningRate">AdamW's peak learning rate, reached after a linear warm-up of <paramref name="WarmupSteps"/> updates.</param>
/// <param name="Mu">μ: policy updates per rollout batch (1: the ratio is 1 and the clip never engages).</param>
/// <param name="Temperature">Sampling temperature of the rollouts; log-probabilities are taken at the same temperature.</param>
/// <param name="Objective">Clip range, β, loss aggregation and the maximum response length.</param>
/// <param name="Rewards">Weights of the accuracy and format rewards.</param>
/// <param name="GradientClip">Maximum global gradient norm.</param>
/// <param name="WarmupSteps">Linear warm-up of the learning rate, in updates.</param>
/// <param name="Seed">Prompt order and rollout sampling.</param>
/// <param name="Schedule">After the warm-up: the peak rate to the end, or a cosine decay to a tenth of it at the last of the Steps × Mu updates.</param>
public sealed record GrpoOptions(
    int Steps = 100,
    int PromptsPerStep = 16,
    int GroupSize = 8,
    double LearningRate = 1e-4,
    int Mu = 1,
    double Temperature = 1.0,
    GrpoObjectiveOptions? Objective = null,
    RewardWeights? Rewards = null,
    double GradientClip = 1.0,
    int WarmupSteps = 0,
    long Seed = 0,
    LearningRateDecay Schedule = LearningRateDecay.Constant)
{
    public GrpoObjectiveOptions ObjectiveOptions => Objective ?? new GrpoObjectiveOptions();

    public RewardWeights RewardWeights => Rewards ?? new RewardWeights();

    /// <summary>The learning rate of each update (0-based, Steps × Mu of them).</summary>
    public LearningRateSchedule LearningRates =>
        new(LearningRate, WarmupSteps, Steps * Mu, Floor: Schedule == LearningRateDecay.Cosine ? 0.1 : 1.0);

    public GrpoOptions Validate()
    {
        GrpoOption.Require(Steps >= 1, "steps", Steps, "at least 1");
        GrpoOption.Require(PromptsPerStep >= 1, "prompts_per_step", PromptsPerStep, "at least 1");
        GrpoOption.Require(GroupSize >= 2, "group_size", GroupSize, "at least 2 (advantages compare the responses of a group)");
        GrpoOption.Require(LearningRate > 0 && double.IsFinite(LearningRate), "learning_rate", LearningRate, "positive");
        GrpoOption.Require(Mu >= 1, "mu", Mu, "at least 1");
        GrpoOption.Require(Temperature > 0 && double.IsFinite(Temperature), "temperature", Temperature, "positive");
        GrpoOption.Require(GradientClip > 0, "gradient_clip", GradientClip, "positive");
        GrpoOption.Require(WarmupSteps >= 0, "warmup_steps", WarmupSteps, "0 or more");
        GrpoOption.Require(Enum.IsDefined(Schedule), "learning_rate_schedule", Schedule, "constant or cosine");
        ObjectiveOptions.Validate();
        RewardWeights.Validate();
        return this;
    }
}

/// <summary>The learning rate after the warm-up (<see cref="GrpoOptions.Schedule"/>).</summary>
public enum LearningRateDecay
{
    /// <summary>The peak rate to the end (verl's default).</summary>
    Constant,

    /// <summary>A cosine decay to a tenth of the peak at the last update (the fine-tuning schedule).</summary>
    Cosine,
}

/// <summary>
/// What one GRPO step measured. Lengths are in tokens; "right" and "wrong" split the responses by the accuracy reward (NaN
/// means and 0 maxima when there are none). <see cref="BatchTokens"/> is the padded prompt-and-response batch, B × T, that
/// each forward pass of the step reads; <see cref="PeakEstimatedBytes"/> the analytic memory estimate of an update;
/// <see cref="ResidentBytes"/> the process's resident set measured after the step, and <see cref="PeakResidentBytes"/> its
/// peak since the training phase began (Linux <c>VmHWM</c>, reset when the phase opens).
/// </summary>
public sealed record GrpoStepMetrics(
    int Step,
    double MeanReward,
    double Accuracy,
    double MeanLength,
    int MaxLength,
    double MeanLengthRight,
    double MeanLengthWrong,
    int MaxLengthRight,
    int MaxLengthWrong,
    double Loss,
    double Kl,
    double Entropy,
    double ClipFraction,
    double GradientNorm,
    int ContributingResponses,
    long GeneratedTokens,
    long BatchTokens,
    long PeakEstimatedBytes,
    long ResidentBytes = 0,
    long PeakResidentBytes = 0)
{
    /// <summary>The figures that do not depend on the machine: all but the measured memory.</summary>
    public GrpoStepMetrics WithoutMeasuredMemory() => this with { ResidentBytes = 0, PeakResidentBytes = 0 };
}

/// <summary>Training stopped because the loss or the gradient stopped being a number; the policy keeps the weights from before that step.</summary>
public sealed class GrpoDivergedException(int step, string what)
    : Exception($"GRPO diverged at step {step}: {what}; the policy keeps its weights from before that step")
{
    public int Step { get; } = step;
}

/// <summary>
/// GRPO (Shao et al. 2024) with outcome-only rewards: per step, G responses to each of a batch of train prompts from the
/// current policy through the policy host, their rewards, group-normalised advantages, and μ updates of the policy on
/// <see cref="GrpoObjective"/> against the frozen reference. Every sampled token, every forward pass of the reference
/// and every trained token is charged to the meter. The old policy's log-probabilities are those of the first update's
/// forward pass, detached.
/// </summary>
public static class GrpoTrainer
{
    /// <summary>Scores one response; <see cref="OutcomeRewards.Score"/> with the options' weights unless a test says otherwise.</summary>
    public delegate RewardBreakdown RewardFunction(Problem problem, string completion);

    /// <summary>
    /// Trains <paramref name="policy"/> (a trainable handle of <paramref name="host"/>) in place. <paramref name="reference"/>
    /// is π_ref (the frozen base policy: no copy is needed). Returns one <see cref="GrpoStepMetrics"/> per step.
    /// <paramref name="afterStep"/> runs after each step's update (curves, held-out evaluation, checkpoints).
    /// </summary>
    /// <param name="resume">
    /// Resumable snapshots, made over <paramref name="meter"/> (null: none). The loop restores the latest snapshot's
    /// weights and AdamW state, replays the prompt order to its step, charges the work done before it once, and saves
    /// one after each due step's <paramref name="afterStep"/>; it returns the metrics of the steps run in this process.
    /// </param>
    /// <exception cref="GrpoDivergedException">A loss or gradient norm was NaN or infinite; the step's update was not applied.</exception>
    public static async Task<IReadOnlyList<GrpoStepMetrics>> TrainAsync(
        PolicyHost host, ModelHandle policy, ModelHandle reference, IReadOnlyList<Problem> problems, RewardFunction reward,
        GrpoOptions options, IUsageMeter meter, Func<GrpoStepMetrics, Task>? afterStep = null, CancellationToken cancellation = default,
        ResumedLoop? resume = null)
    {
        options.Validate();
        if (problems.Count == 0)
        {
            throw new ArgumentException("GRPO needs at least one train problem", nameof(problems));
        }

        if (policy.Role != ModelRole.Trainable)
        {
            throw new ArgumentException($"GRPO trains a trainable copy; '{policy.Name}' is {policy.Role}", nameof(policy));
        }

        Transformer model = policy.Model;
        GrpoObjectiveOptions objective = options.ObjectiveOptions;
        using AdamW optimizer = SupervisedFineTuning.CreateOptimizer(model, options.LearningRate, weightDecay: 0.0);
        var batches = new EpochBatches<Problem>(problems, DeterministicRandom.ForPurpose(options.Seed, "grpo/prompts"));
        var steps = new List<GrpoStepMetrics>(options.Steps);
        ResumedLoop loop = resume ?? new ResumedLoop(meter, snapshots: null);
        int start = loop.Resume(model, optimizer);
        batches.Skip(start, options.PromptsPerStep);
        for (int step = start; step < options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            List<Problem> prompts = batches.Next(options.PromptsPerStep);
            var rowProblems = prompts.SelectMany(p => Enumerable.Repeat(p, options.GroupSize)).ToList();
            var sampling = new SamplingOptions(options.Temperature, 1.0, objective.MaxResponseLength, StopAt.EndOfAnswer,
                Seed: (long)(DeterministicRandom.ForPurpose(options.Seed, $"grpo/rollouts/{step}").NextUInt64() >> 1));
            var tap = new MeterTap(loop.Meter);
            model.eval();
            IReadOnlyList<Completion> completions = await host.GenerateAsync(policy, rowProblems.Select(p => p.Prompt).ToList(), sampling, tap, cancellation);
            RewardBreakdown[] rewards = rowProblems.Select((p, i) => reward(p, completions[i].Text)).ToArray();
            GroupAdvantage[] advantages = GrpoObjective.Advantages(rewards.Select(r => r.Total).ToArray(), options.GroupSize, objective.Aggregation);

            var promptIds = rowProblems.Select(p => (IReadOnlyList<int>)policy.Tokenizer.EncodePrompt(p.Prompt)).ToList();
            var responseIds = completions.Select(c => c.Tokens).ToList();
            (double loss, double kl, double entropy, double clip, double norm, int contributing, long bytes, long batchTokens) =
                Update(model, reference.Model, optimizer, promptIds, responseIds, advantages, options, step, tap);

            GrpoStepMetrics metrics = Measure(step, rewards, completions, loss, kl, entropy, clip, norm, contributing, tap.Total.GeneratedTokens, batchTokens, bytes)
                with { ResidentBytes = ResidentMemory.CurrentBytes(), PeakResidentBytes = ResidentMemory.PeakBytes() };
            steps.Add(metrics);
            if (afterStep is not null)
            {
                await afterStep(metrics);
            }

            loop.SaveIfDue(step + 1, options.Steps, model, optimizer);
            FaultPoint.Reached(FaultPoint.GrpoStep);
        }

        model.eval();
        return steps;
    }

    /// <summary>Reference log-probabilities (no gradient), then μ updates; returns the last update's figures.</summary>
    private static (double Loss, double Kl, double Entropy, double Clip, double Norm, int Contributing, long Bytes, long BatchTokens) Update(
        Transformer model, Transformer reference, AdamW optimizer, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses,
        GroupAdvantage[] advantages, GrpoOptions options, int step, IUsageMeter meter)
    {
        using var scope = NewDisposeScope();
        (Tensor ids, Tensor mask) = Pack(prompts, responses, model.Device);                      // [B, T], [B, T-1]
        long b = ids.shape[0], t = ids.shape[1];
        if (t > model.Config.MaxSequenceLength)
        {
            throw new ArgumentException($"a prompt with its response has {t} tokens; the policy takes {model.Config.MaxSequenceLength}");
        }

        Tensor referenceLogProbs;
        using (no_grad())
        {
            referenceLogProbs = ContinuationScorer.TokenLogProbabilities(reference, ids, options.Temperature); // [B, T-1]
        }

        meter.ChargeForward(reference.Config, b, t);
        long bytes = MemoryEstimate.Training(model.Config, (int)b, (int)t, 4, OptimizerKind.AdamW, trainableCopyPlusFrozenReference: true).Total;
        meter.ReportEstimatedBytes(bytes);

        // π_old is the policy that sampled: before the first update its log-probabilities are that update's own, detached
        // (the model has no dropout), so no separate forward pass is spent on them.
        Tensor? oldLogProbs = null;
        (double Loss, double Kl, double Entropy, double Clip, double Norm, int Contributing) last = default;
        model.train();
        for (int update = 0; update < options.Mu; update++)
        {
            using var updateScope = NewDisposeScope();
            options.LearningRates.Apply(optimizer, step * options.Mu + update);

            Tensor logProbs = ContinuationScorer.TokenLogProbabilities(model, ids, options.Temperature, out Tensor entropy); // [B, T-1], [B, T-1]
            oldLogProbs ??= logProbs.detach().MoveToOuterDisposeScope();
            GrpoLossResult result = GrpoObjective.Loss(logProbs, oldLogProbs, referenceLogProbs, advantages, mask, options.ObjectiveOptions);
            double loss = result.Loss.item<float>();
            if (!double.IsFinite(loss))
            {
                throw new GrpoDivergedException(step, $"the loss is {loss}");
            }

            optimizer.zero_grad();
            result.Loss.backward();
            double norm = nn.utils.clip_grad_norm_(model.parameters(), options.GradientClip);
            if (!double.IsFinite(norm))
            {
                optimizer.zero_grad();
                throw new GrpoDivergedException(step, $"the gradient norm is {norm}");
            }

            if (result.ContributingResponses > 0)
            {
                optimizer.step();
            }

            meter.ChargeTraining(model.Config, b, t);
            // Entropy and KL are measured over every response token, groups that taught nothing included.
            double meanEntropy, meanKl;
            using (no_grad())
            {
                Tensor m = mask.to(float32);
                double count = Math.Max(1, m.sum().item<float>());
                Tensor toReference = referenceLogProbs - logProbs.detach();
                meanEntropy = (entropy * m).sum().item<float>() / count;
                meanKl = ((toReference.exp() - toReference - 1) * m).sum().item<float>() / count;
            }

            last = (loss, meanKl, meanEntropy, result.ClipFraction, norm, result.ContributingResponses);
        }

        model.eval();
        return (last.Loss, last.Kl, last.Entropy, last.Clip, last.Norm, last.Contributing, bytes, b * t);
    }

    /// <summary>
    /// Prompt + response ids, right-padded (<see cref="ContinuationScorer.Pack"/>), [B, T]; and the mask [B, T-1] of the
    /// positions whose next token is a response token (the alignment of <see cref="ContinuationScorer.TokenLogProbabilities(Transformer, Tensor, double)"/>).
    /// </summary>
    internal static (Tensor Ids, Tensor Mask) Pack(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, Device device)
    {
        (Tensor ids, int[] starts, int[] lengths) = ContinuationScorer.Pack(prompts, responses, device);
        long b = ids.shape[0], t = ids.shape[1];
        var mask = new float[b * (t - 1)];
        for (int i = 0; i < b; i++)
        {
            Array.Fill(mask, 1f, (int)(i * (t - 1)) + starts[i] - 1, lengths[i]);
        }

        return (ids, tensor(mask, new long[] { b, t - 1 }, device: device));
    }

    private static GrpoStepMetrics Measure(
        int step, RewardBreakdown[] rewards, IReadOnlyList<Completion> completions, double loss, double kl, double entropy, double clip,
        double norm, int contributing, long generated, long batchTokens, long bytes)
    {
        int[] lengths = completions.Select(c => c.Tokens.Count).ToArray();
        var right = Enumerable.Range(0, lengths.Length).Where(i => rewards[i].Accuracy > 0).Select(i => lengths[i]).ToArray();
        var wrong = Enumerable.Range(0, lengths.Length).Where(i => rewards[i].Accuracy == 0).Select(i => lengths[i]).ToArray();
        return new GrpoStepMetrics(
            step, rewards.Average(r => r.Total), rewards.Average(r => r.Accuracy), lengths.Average(), lengths.Max(),
            right.Length == 0 ? double.NaN : right.Average(), wrong.Length == 0 ? double.NaN : wrong.Average(),
            right.Length == 0 ? 0 : right.Max(), wrong.Length == 0 ? 0 : wrong.Max(),
            loss, kl, entropy, clip, norm, contributing, generated, batchTokens, bytes);
    }
}
