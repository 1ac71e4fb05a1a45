using Reasoning.Core.Accounting;
using Reasoning.Core.Diagnostics;
using Reasoning.Core.Problems;
using Reasoning.Policy.Training;
using Reasoning.ProcessReward.Labels;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Scoring;
using TorchSharp;
using TorchSharp.Modules;
using AdamW = TorchSharp.Modules.AdamW;
using static TorchSharp.torch;

namespace Reasoning.ProcessReward.Training;

/// <summary>
/// Trains a <see cref="RewardModel"/>: binary cross-entropy with logits on (soft) labels at the labelled line
/// ends (every line for a PRM, the last for an ORM), optionally class-balanced; AdamW, warm-up and cosine
/// schedule, global gradient clipping, as in supervised fine-tuning. Deterministic on the CPU for a seed
/// (the model's, and <see cref="RewardModelTrainingOptions.Seed"/> for the batch order).
/// </summary>
public static class RewardModelTrainer
{
    /// <summary>Trains <paramref name="model"/> in place on <paramref name="solutions"/>; returns the loss curve (one point per step).</summary>
    /// <param name="snapshots">Resumable snapshots of the training, as for <see cref="SupervisedFineTuning.Train"/>; null for none.</param>
    public static IReadOnlyList<LossPoint> Train(
        RewardModel model, IReadOnlyList<LabeledSolution> solutions, RewardModelTrainingOptions options, IUsageMeter meter,
        Action<LossPoint>? progress = null, CancellationToken cancellation = default, TrainingSnapshots? snapshots = null)
    {
        options.Validate();
        var examples = solutions.Select(s => Encode(model, s.Validate())).Where(e => e.Positions.Length > 0).ToList();
        if (examples.Count == 0)
        {
            throw new ArgumentException("reward-model training needs at least one solution with a labelled line", nameof(solutions));
        }

        int longest = examples.Max(e => e.Input.Ids.Length);
        if (longest > model.Config.MaxSequenceLength)
        {
            throw new ArgumentException($"a labelled solution has {longest} tokens; the reward model takes {model.Config.MaxSequenceLength}", nameof(solutions));
        }

        double positiveWeight = options.ClassBalance ? PositiveWeight(examples.SelectMany(e => e.Targets)) : 1.0;
        model.train();
        using AdamW optimizer = CreateOptimizer(model, options.LearningRate, options.WeightDecay);
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, options.Steps);
        var batches = new EpochBatches<Example>(examples, DeterministicRandom.ForPurpose(options.Seed, "reward-model/batches"));
        var curve = new List<LossPoint>(options.Steps);
        var loop = new ResumedLoop(meter, snapshots, () => System.Text.Json.JsonSerializer.Serialize(curve), state => curve.AddRange(SupervisedFineTuning.LossPoints(state)));
        int start = loop.Resume(model, optimizer);
        batches.Skip(start, options.BatchSize);
        try
        {
            for (int step = start; step < options.Steps; step++)
            {
                cancellation.ThrowIfCancellationRequested();
                List<Example> batch = batches.Next(options.BatchSize);
                double learningRate = schedule.Apply(optimizer, step);

                using var scope = NewDisposeScope();
                Tensor loss = Loss(model, batch, positiveWeight, out long b, out long t);
                optimizer.zero_grad();
                loss.backward();
                double norm = nn.utils.clip_grad_norm_(model.TrainableParameters(), options.GradientClip);
                optimizer.step();

                long tokens = b * t;
                loop.Meter.Record(new Usage(0, 0, tokens, model.TrainingFlops(tokens, b * t * (t + 1) / 2.0)));
                loop.Meter.ReportEstimatedBytes(model.EstimatedTrainingBytes((int)b, (int)t));
                var point = new LossPoint(step, loss.item<float>(), learningRate, norm);
                curve.Add(point);
                progress?.Invoke(point);
                loop.SaveIfDue(step + 1, options.Steps, model, optimizer);
                FaultPoint.Reached(FaultPoint.RewardStep);
            }
        }
        finally
        {
            model.eval();
        }

        return curve;
    }

    /// <summary>
    /// Scores the held-out solutions and compares them with their labels at the positions the model is trained on:
    /// step accuracy at threshold 0.5 and ROC AUC against hard labels (label ≥ 0.5). Forward passes are charged to <paramref name="meter"/>.
    /// </summary>
    public static RewardModelMetrics Evaluate(RewardModel model, IReadOnlyList<LabeledSolution> heldOut, IUsageMeter? meter = null, int batchSize = RewardScorer.DefaultBatchSize)
    {
        var examples = heldOut.Select(s => Encode(model, s.Validate())).ToArray();
        double[][] scores = RewardScorer.Score(model, heldOut.Select(s => new SolutionLines(s.Prompt, s.Lines)).ToArray(), meter ?? NullUsageMeter.Instance, batchSize);
        var predicted = new List<double>();
        var actual = new List<bool>();
        for (int i = 0; i < examples.Length; i++)
        {
            int[] lineEnds = examples[i].Input.LineEnds;
            for (int j = 0; j < examples[i].Positions.Length; j++)
            {
                predicted.Add(scores[i][Array.IndexOf(lineEnds, examples[i].Positions[j])]);
                actual.Add(examples[i].Targets[j] >= 0.5);
            }
        }

        if (predicted.Count == 0)
        {
            return RewardModelMetrics.Empty;
        }

        int agree = Enumerable.Range(0, predicted.Count).Count(i => predicted[i] >= 0.5 == actual[i]);
        int positives = actual.Count(a => a);
        return new RewardModelMetrics((double)agree / predicted.Count, RocAuc.Compute(predicted, actual), positives, actual.Count - positives);
    }

    /// <summary>
    /// The weight of the positive term of the loss that balances the classes: negatives / positives, the
    /// recipe of PyTorch's <c>BCEWithLogitsLoss(pos_weight)</c> documentation ("if a dataset contains 100
    /// positive and 300 negative examples of a single class, then pos_weight for the class should be equal
    /// to 300/100 = 3"). Soft labels count fractionally: positives = Σy, negatives = Σ(1 − y). 1 when a class is absent.
    /// </summary>
    internal static double PositiveWeight(IEnumerable<float> targets)
    {
        double positives = 0, negatives = 0;
        foreach (float y in targets)
        {
            positives += y;
            negatives += 1 - y;
        }

        return positives > 0 && negatives > 0 ? negatives / positives : 1.0;
    }

    /// <summary>A labelled solution as training input: its ids, the line-end indices trained on, and their targets.</summary>
    internal sealed record Example(RewardInput Input, int[] Positions, float[] Targets);

    /// <summary>
    /// A PRM learns every line end with its label. An ORM learns only the last line end, on whether the solution
    /// ends with a right answer: the last label if the last line is the answer line, else 0 (no answer is a wrong outcome).
    /// </summary>
    internal static Example Encode(RewardModel model, LabeledSolution solution)
    {
        var input = RewardInput.Encode(model.Tokenizer, model.Format, solution.Prompt, solution.Lines);
        if (input.LineEnds.Length == 0)
        {
            return new Example(input, [], []);
        }

        return model.Kind == RewardModelKind.ProcessReward
            ? new Example(input, input.LineEnds, solution.Labels.Select(l => (float)l).ToArray())
            : new Example(input, [input.LineEnds[^1]], [solution.EndsWithAnswer ? (float)solution.Labels[^1] : 0f]);
    }

    /// <summary>
    /// Mean over the labelled positions of w·y·softplus(−x) + (1 − y)·softplus(x) = −w·y·log σ(x) − (1 − y)·log(1 − σ(x)),
    /// PyTorch's <c>binary_cross_entropy_with_logits</c> with <c>pos_weight</c> w. Call inside a dispose scope.
    /// </summary>
    internal static Tensor Loss(RewardModel model, IReadOnlyList<Example> batch, double positiveWeight, out long b, out long t)
    {
        (Tensor ids, Tensor positions, Tensor promptLengths) = RewardInput.Pack(batch.Select(e => e.Input).ToArray(), model.Device); // [B, T], [B, T], [B]
        (b, t) = (ids.shape[0], ids.shape[1]);
        var flat = new List<long>();
        var targets = new List<float>();
        for (int i = 0; i < batch.Count; i++)
        {
            long rowStart = i * t;
            flat.AddRange(batch[i].Positions.Select(p => rowStart + p));
            targets.AddRange(batch[i].Targets);
        }

        Tensor logits = model.Forward(ids, positions, promptLengths).reshape(b * t)                     // [B·T]
            .index_select(0, tensor(flat.ToArray(), device: model.Device)).to(float32); // [N]
        Tensor y = tensor(targets.ToArray(), device: model.Device);                    // [N]
        Tensor positive = nn.functional.softplus(-logits) * y;                          // [N]
        if (positiveWeight != 1.0)
        {
            positive = positive * positiveWeight;
        }

        return (positive + nn.functional.softplus(logits) * (1 - y)).mean();          // []
    }

    /// <summary>AdamW (Loshchilov &amp; Hutter 2019) with β = (0.9, 0.95), as in fine-tuning; weight decay on matrices only.</summary>
    private static AdamW CreateOptimizer(RewardModel model, double learningRate, double weightDecay)
    {
        var trainable = model.TrainableParameters().ToList();
        return optim.AdamW(
            new[]
            {
                new AdamW.ParamGroup(trainable.Where(p => p.dim() >= 2), learningRate, 0.9, 0.95, 1e-8, weightDecay, false, false),
                new AdamW.ParamGroup(trainable.Where(p => p.dim() < 2), learningRate, 0.9, 0.95, 1e-8, 0.0, false, false),
            },
            learningRate);
    }
}
