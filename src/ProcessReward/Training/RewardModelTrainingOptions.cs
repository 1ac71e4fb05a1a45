namespace Reasoning.ProcessReward.Training;

/// <summary>Settings of reward-model training. The defaults are the baseline recipe.</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BatchSize">Labelled solutions per step.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="WarmupSteps">Linear warm-up steps (then cosine decay, as in fine-tuning).</param>
/// <param name="WeightDecay">AdamW decoupled weight decay, on matrices only (not norms or biases).</param>
/// <param name="GradientClip">Maximum global gradient norm.</param>
/// <param name="Seed">Batch order.</param>
/// <param name="ClassBalance">Weigh positive labels by negatives / positives over the training set (see <see cref="RewardModelTrainer.PositiveWeight"/>).</param>
public sealed record RewardModelTrainingOptions(
    int Steps = 500,
    int BatchSize = 32,
    double LearningRate = 1e-3,
    int WarmupSteps = 20,
    double WeightDecay = 0.01,
    double GradientClip = 1.0,
    long Seed = 0,
    bool ClassBalance = true)
{
    public RewardModelTrainingOptions Validate()
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
                throw new ArgumentOutOfRangeException(name, $"reward-model training option {name} must be {allowed}");
            }
        }
    }
}
