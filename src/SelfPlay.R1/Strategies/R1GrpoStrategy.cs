using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Core.Strategies;
using Reasoning.Core.Voting;
using Reasoning.Policy.Checkpoints;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Training;
using Reasoning.SelfPlay.R1.Rewards;
using Reasoning.SelfPlay.R1.Training;

namespace Reasoning.SelfPlay.R1.Strategies;

/// <summary>
/// <c>r1-grpo</c>: R1-style self-play. <c>Prepare</c> post-trains a copy of the base policy with GRPO on the train
/// problems, rewarding only the final answer (and the format), with the base policy as the frozen KL reference; per
/// step it records reward, accuracy, response lengths (right and wrong apart), KL, entropy, clip fraction, gradient
/// norm, tokens and memory (estimated, resident, peak resident) as curves, and held-out greedy accuracy every <c>evaluate_every</c> steps. <c>Solve</c> decodes
/// greedily with the trained policy, or takes the majority of <c>solve_samples</c> samples.
/// </summary>
public sealed class R1GrpoStrategy(R1GrpoOptions options) : IStrategy, IDisposable
{
    public const string StrategyName = "r1-grpo";

    public static StrategyDescriptor Descriptor { get; } = StrategyDescriptor.For<R1GrpoOptions>(
        StrategyName, "GRPO post-training with outcome-only rewards (DeepSeekMath, DeepSeek-R1), then greedy decoding", o => new R1GrpoStrategy(o));

    private ModelHandle? _trained;

    public string Name => StrategyName;

    public async Task PrepareAsync(StrategyContext context)
    {
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        int heldOut = options.HeldOutProblems;
        if (heldOut >= context.TrainProblems.Count)
        {
            throw new ArgumentException(
                $"{StrategyName}: held_out_problems is {heldOut} but there are only {context.TrainProblems.Count} train problems; the rollouts need some");
        }

        IReadOnlyList<Problem> rollouts = context.TrainProblems.Take(context.TrainProblems.Count - heldOut).ToList();
        IReadOnlyList<Problem> evaluation = context.TrainProblems.Skip(context.TrainProblems.Count - heldOut).ToList();
        _trained = policy.Host.CreateTrainableCopy(policy.Base, $"{StrategyName}-{context.Seed}");
        ModelHandle trained = _trained;
        GrpoOptions trainer = options.ToTrainerOptions(context.Seed);
        var weights = trainer.RewardWeights;
        string checkpoint = Path.Combine(context.ScratchFolder, "policy.ckpt");

        // Everything Prepare charges goes through one tap, so a snapshot records it all (held-out evaluations included),
        // and the curve points recorded so far travel in the snapshot too.
        var meter = new MeterTap(context.Meter);
        var points = new List<CurvePointState>();
        void RecordPoint(string name, int step, double value)
        {
            points.Add(new CurvePointState(name, step, value));
            context.Metrics.Record(name, step, value);
        }

        string key = $"{StrategyName}|{policy.BaseIdentity}|{context.Task.Name}|{context.TrainProblems.Count}|{JsonSerializer.Serialize(trainer)}";
        var snapshots = new TrainingSnapshots(context.SnapshotFolder("grpo"), context.SnapshotEvery, key);
        var resume = new ResumedLoop(
            meter, snapshots,
            saveState: () => JsonSerializer.Serialize(points),
            restoreState: state =>
            {
                foreach (CurvePointState p in JsonSerializer.Deserialize<List<CurvePointState>>(state) ?? [])
                {
                    RecordPoint(p.Name, p.Step, p.Value);
                }
            },
            charged: () => meter.Total);
        if (snapshots.Latest is { } resumed)
        {
            context.Progress.Report($"resuming GRPO at step {resumed.Step}/{options.Steps}");
        }
        else
        {
            await Evaluate(0); // a snapshot holds its cost and its point
        }

        try
        {
            await GrpoTrainer.TrainAsync(
                policy.Host, trained, policy.Base, rollouts, (problem, text) => OutcomeRewards.Score(context.Task, problem, text, weights),
                trainer, meter, AfterStep, context.Cancellation, resume);
        }
        catch (GrpoDivergedException e)
        {
            ModelSnapshot.Save(checkpoint, trained.Model, trained.Tokenizer);
            throw new InvalidOperationException($"{e.Message}; the last good weights are in {checkpoint}", e);
        }

        if (options.EvaluateEvery == 0 || options.Steps % options.EvaluateEvery != 0)
        {
            await Evaluate(options.Steps);
        }

        ModelSnapshot.Save(checkpoint, trained.Model, trained.Tokenizer);

        async Task AfterStep(GrpoStepMetrics m)
        {
            int step = m.Step + 1;
            Record(GrpoCurves.Reward, m.MeanReward);
            Record(GrpoCurves.Accuracy, m.Accuracy);
            Record(GrpoCurves.LengthMean, m.MeanLength);
            Record(GrpoCurves.LengthMax, m.MaxLength);
            Record(GrpoCurves.LengthRight, m.MeanLengthRight);
            Record(GrpoCurves.LengthWrong, m.MeanLengthWrong);
            Record(GrpoCurves.LengthMaxRight, m.MaxLengthRight);
            Record(GrpoCurves.LengthMaxWrong, m.MaxLengthWrong);
            Record(GrpoCurves.Loss, m.Loss);
            Record(GrpoCurves.Kl, m.Kl);
            Record(GrpoCurves.Entropy, m.Entropy);
            Record(GrpoCurves.ClipFraction, m.ClipFraction);
            Record(GrpoCurves.GradientNorm, m.GradientNorm);
            Record(GrpoCurves.GeneratedTokens, m.GeneratedTokens);
            Record(GrpoCurves.EstimatedBytes, m.PeakEstimatedBytes);
            Record(GrpoCurves.ResidentBytes, m.ResidentBytes);
            Record(GrpoCurves.PeakResidentBytes, m.PeakResidentBytes);
            context.Progress.Report($"step {step}/{options.Steps}: reward {m.MeanReward:F3}, accuracy {m.Accuracy:P1}, length {m.MeanLength:F1}, KL {m.Kl:F4}");
            if (options.EvaluateEvery > 0 && step % options.EvaluateEvery == 0)
            {
                await Evaluate(step);
            }

            if (options.CheckpointEvery > 0 && step % options.CheckpointEvery == 0)
            {
                ModelSnapshot.Save(checkpoint, trained.Model, trained.Tokenizer);
            }

            void Record(string name, double value)
            {
                if (double.IsFinite(value))
                {
                    RecordPoint(name, step, value);
                }
            }
        }

        async Task Evaluate(int step)
        {
            if (evaluation.Count == 0)
            {
                return;
            }

            IReadOnlyList<Completion> answers = await policy.Host.GenerateAsync(
                trained, evaluation.Select(p => p.Prompt).ToList(), SamplingOptions.Greedy(options.MaxResponseLength), meter, context.Cancellation);
            double accuracy = evaluation.Select((p, i) => OutcomeRewards.Accuracy(context.Task, p, answers[i].Text)).Average();
            RecordPoint(GrpoCurves.HeldOutAccuracy, step, accuracy);
            context.Logger.LogInformation("{Strategy} step {Step}: held-out accuracy {Accuracy:P1}", StrategyName, step, accuracy);
        }
    }

    public async Task<IReadOnlyList<Attempt>> SolveAsync(IReadOnlyList<Question> questions, StrategyContext context)
    {
        ModelHandle trained = _trained ?? throw new InvalidOperationException($"{StrategyName}: PrepareAsync must run before SolveAsync");
        PolicySession policy = context.Services.GetRequiredService<PolicySession>();
        int k = options.SolveSamples;
        var prompts = questions.SelectMany(q => Enumerable.Repeat(q.Prompt, k)).ToList();
        SamplingOptions sampling = k == 1
            ? SamplingOptions.Greedy(options.MaxResponseLength)
            : new SamplingOptions(options.SolveTemperature, 1.0, options.MaxResponseLength, StopAt.EndOfAnswer, Seed: context.Seed);
        IReadOnlyList<Completion> completions = await policy.Host.GenerateAsync(trained, prompts, sampling, context.Meter, context.Cancellation);
        return questions.Select((q, i) => MajorityVote.Attempt(q.Id, completions.Skip(i * k).Take(k).Select(c => c.Text).ToList(), context.Task.SolutionFormat)).ToList();
    }

    public void Dispose()
    {
        _trained?.Dispose();
        _trained = null;
    }

    /// <summary>A curve point kept in a GRPO snapshot.</summary>
    private sealed record CurvePointState(string Name, int Step, double Value);
}
