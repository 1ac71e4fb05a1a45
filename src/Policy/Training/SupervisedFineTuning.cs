using System.Text.Json;
using Reasoning.Core.Accounting;
using Reasoning.Core.Diagnostics;
using Reasoning.Policy.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;
using AdamW = TorchSharp.Modules.AdamW;
using static TorchSharp.torch;

namespace Reasoning.Policy.Training;

/// <summary>Settings of supervised fine-tuning on reference solutions. The defaults are the baseline recipe.</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BatchSize">Reference solutions per step.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="WarmupSteps">Linear warm-up steps.</param>
/// <param name="WeightDecay">AdamW decoupled weight decay, on matrices only (not norms).</param>
/// <param name="GradientClip">Maximum global gradient norm.</param>
/// <param name="Seed">Batch order.</param>
public sealed record FineTuningOptions(
    int Steps = 1500,
    int BatchSize = 32,
    double LearningRate = 3e-3,
    int WarmupSteps = 30,
    double WeightDecay = 0.01,
    double GradientClip = 1.0,
    long Seed = 0)
{
    public FineTuningOptions Validate()
    {
        Check(Steps >= 1, nameof(Steps), "at least 1");
        Check(BatchSize >= 1, nameof(BatchSize), "at least 1");
        Check(LearningRate > 0, nameof(LearningRate), "positive");
        Check(WarmupSteps >= 0, nameof(WarmupSteps), "0 or more");
        Check(WeightDecay >= 0, nameof(WeightDecay), "0 or more");
        Check(GradientClip > 0, nameof(GradientClip), "positive");
        return this;

        static void Check(bool ok, string name, string allowed)
        {
            if (!ok)
            {
                throw new ArgumentOutOfRangeException(name, $"fine-tuning option {name} must be {allowed}");
            }
        }
    }
}

/// <summary>One point of the loss curve.</summary>
public sealed record LossPoint(int Step, double Loss, double LearningRate, double GradientNorm);

/// <summary>
/// Supervised fine-tuning: cross-entropy on the tokens of reference solutions after the prompt
/// (the prompt is masked), AdamW, warm-up and cosine schedule, global gradient clipping.
/// </summary>
public static class SupervisedFineTuning
{
    private const long Ignore = -100;

    /// <summary>Trains <paramref name="model"/> in place and returns the loss curve (one point per step).</summary>
    /// <param name="format">How reference solutions are written (the task's); null for the one-step-per-line format.</param>
    /// <param name="snapshots">
    /// Where to save resumable snapshots, and to resume from (null: none). A resumed run loads the weights, the AdamW
    /// state and the curve so far, replays the batch order to the snapshot's step, charges <paramref name="meter"/> the
    /// work done before it (<see cref="IUsageMeter.RecordResumed"/>), and goes on: its model and curve are those of an
    /// uninterrupted run. <paramref name="progress"/> hears of the steps run in this process only.
    /// </param>
    public static IReadOnlyList<LossPoint> Train(
        Transformer model, ITokenizer tokenizer, IReadOnlyList<Problem> problems, FineTuningOptions options, IUsageMeter meter,
        Action<LossPoint>? progress = null, CancellationToken cancellation = default, ISolutionFormat? format = null, TrainingSnapshots? snapshots = null)
    {
        options.Validate();
        if (problems.Count == 0)
        {
            throw new ArgumentException("fine-tuning needs at least one problem", nameof(problems));
        }

        var examples = problems.Select(p => Encode(tokenizer, p, format ?? LineSolutionFormat.Instance)).ToList();
        int longest = examples.Max(e => e.Ids.Count);
        if (longest > model.Config.MaxSequenceLength)
        {
            throw new ArgumentException($"a reference solution has {longest} tokens; the model takes {model.Config.MaxSequenceLength}");
        }

        model.train();
        using AdamW optimizer = CreateOptimizer(model, options.LearningRate, options.WeightDecay);
        var schedule = new LearningRateSchedule(options.LearningRate, options.WarmupSteps, options.Steps);
        var batches = new EpochBatches<Example>(examples, DeterministicRandom.ForPurpose(options.Seed, "sft/batches"));
        var curve = new List<LossPoint>(options.Steps);
        var loop = new ResumedLoop(meter, snapshots, () => JsonSerializer.Serialize(curve), state => curve.AddRange(LossPoints(state)));
        int start = loop.Resume(model, optimizer);
        batches.Skip(start, options.BatchSize);
        for (int step = start; step < options.Steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            List<Example> batch = batches.Next(options.BatchSize);
            double learningRate = schedule.Apply(optimizer, step);

            using var scope = NewDisposeScope();
            (Tensor ids, Tensor targets) = Collate(batch, model.Device);                        // [B, T], [B, T]
            (double loss, double norm) = Step(model, optimizer, ids, targets, options.GradientClip);

            long t = ids.shape[1];
            loop.Meter.ChargeTraining(model.Config, ids.shape[0], t);
            loop.Meter.ReportEstimatedBytes(MemoryEstimate.Training(model.Config, (int)ids.shape[0], (int)t, 4, OptimizerKind.AdamW).Total);
            var point = new LossPoint(step, loss, learningRate, norm);
            curve.Add(point);
            progress?.Invoke(point);
            loop.SaveIfDue(step + 1, options.Steps, model, optimizer);
            FaultPoint.Reached(FaultPoint.SftStep);
        }

        model.eval();
        return curve;
    }

    /// <summary>A loss curve saved in a snapshot's state.</summary>
    internal static List<LossPoint> LossPoints(string state) => JsonSerializer.Deserialize<List<LossPoint>>(state) ?? [];

    /// <summary>AdamW (Loshchilov &amp; Hutter 2019) with β = (0.9, 0.95); weight decay on matrices only, not on norms.</summary>
    internal static AdamW CreateOptimizer(Transformer model, double learningRate, double weightDecay)
    {
        var matrices = model.parameters().Where(p => p.dim() >= 2).ToList();
        var vectors = model.parameters().Where(p => p.dim() < 2).ToList();
        return optim.AdamW(
            new[]
            {
                new AdamW.ParamGroup(matrices, learningRate, 0.9, 0.95, 1e-8, weightDecay, false, false),
                new AdamW.ParamGroup(vectors, learningRate, 0.9, 0.95, 1e-8, 0.0, false, false),
            },
            learningRate);
    }

    /// <summary>
    /// One optimizer step on one batch: loss, backward, global gradient-norm clipping, AdamW.
    /// Call inside a dispose scope. Returns the loss before the step and the gradient norm before clipping.
    /// </summary>
    internal static (double Loss, double GradientNorm) Step(Transformer model, AdamW optimizer, Tensor ids, Tensor targets, double gradientClip)
    {
        Tensor loss = Loss(model, ids, targets);
        optimizer.zero_grad();
        loss.backward();
        double norm = nn.utils.clip_grad_norm_(model.parameters(), gradientClip);
        optimizer.step();
        return (loss.item<float>(), norm);
    }

    /// <summary>Mean cross-entropy over the unmasked targets.</summary>
    internal static Tensor Loss(Transformer model, Tensor ids, Tensor targets)
    {
        long b = ids.shape[0], t = ids.shape[1];
        Tensor positions = arange(t, device: ids.device).expand(b, t);                           // [B, T]
        Tensor logits = model.Forward(ids, positions);                                          // [B, T, V]
        return nn.functional.cross_entropy(logits.reshape(b * t, -1).to(float32), targets.reshape(b * t), ignore_index: Ignore);
    }

    /// <summary>A solution as ids, and how many of them are the prompt.</summary>
    internal sealed record Example(List<int> Ids, int PromptLength);

    /// <summary>The prompt, the reference solution in the task's format, and the tokenizer's end of completion (an end-of-sequence id for a pretrained model).</summary>
    internal static Example Encode(ITokenizer tokenizer, Problem problem, ISolutionFormat format)
    {
        List<int> ids = tokenizer.EncodePrompt(problem.Prompt);
        int promptLength = ids.Count;
        ids.AddRange(tokenizer.Encode(format.RenderCompletion(problem.ReferenceSteps, problem.Answer)));
        ids.AddRange(tokenizer.EndOfCompletion);
        return new Example(ids, promptLength);
    }

    /// <summary>Right-padded inputs and next-token targets; prompt and padding targets are ignored.</summary>
    internal static (Tensor Ids, Tensor Targets) Collate(IReadOnlyList<Example> batch, Device device)
    {
        int t = batch.Max(e => e.Ids.Count) - 1;
        var ids = new long[batch.Count * t];
        var targets = new long[batch.Count * t];
        Array.Fill(targets, Ignore);
        for (int i = 0; i < batch.Count; i++)
        {
            List<int> e = batch[i].Ids;
            for (int j = 0; j < e.Count - 1; j++)
            {
                ids[i * t + j] = e[j];
                // Position j predicts token j + 1; only completion tokens are learned.
                if (j + 1 >= batch[i].PromptLength)
                {
                    targets[i * t + j] = e[j + 1];
                }
            }
        }

        return (tensor(ids, new long[] { batch.Count, t }, device: device), tensor(targets, new long[] { batch.Count, t }, device: device));
    }
}
