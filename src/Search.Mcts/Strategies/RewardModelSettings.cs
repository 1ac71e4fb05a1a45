using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Reasoning.Core.Options;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;
using Reasoning.ProcessReward.Model;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>Where step labels come from.</summary>
public enum StepLabelSource
{
    /// <summary>The task's step checker: a step is good when it is valid and the problem can still be solved from it.</summary>
    Exact,

    /// <summary>Math-Shepherd (Wang et al. 2024): k policy rollouts from each step; the label is the fraction that reach the right answer.</summary>
    MonteCarlo,
}

/// <summary>
/// How a search strategy gets its reward model, the options every reward-guided strategy shares (YAML keys
/// in snake_case beside the strategy's own). Strategies with equal settings on the same base policy and seed
/// share one trained model through the cache; each is charged its full cost. Exact labels need the task's step checker
/// (<see cref="RequiresStepChecker"/>), so a spec that asks them of a dataset is refused when it is read.
/// </summary>
public class RewardModelSettings : IRequiresStepChecker, ISpecRelativePaths
{
    [Description("the reward model: process_reward (a score per step) or outcome_reward (the final answer only)")]
    public RewardModelKind RewardModel { get; set; } = RewardModelKind.ProcessReward;

    [Description("how a step end is scored: scalar (a linear head on the hidden state), implicit (beta times the summed log-likelihood ratio of the written tokens, trained model against the base policy; Yuan et al. 2024) or scalar_plus_implicit (both summed)")]
    public RewardHead RewardHead { get; set; } = RewardHead.Scalar;

    [Description("beta of the implicit reward head: the scale of its log-likelihood ratio")]
    [Range(0.0, 1000.0, MinimumIsExclusive = true)]
    public double RewardBeta { get; set; } = 1.0;

    [Description("step labels: exact (the task's step checker) or monte_carlo (rollouts from each step, Math-Shepherd); a dataset (task kind jsonl) has no step checker, so it needs monte_carlo")]
    public StepLabelSource Labels { get; set; } = StepLabelSource.Exact;

    [Description("Monte-Carlo labels: rollouts from each step prefix")]
    [Range(1, 256)]
    public int Rollouts { get; set; } = 4;

    [Description("train problems whose sampled solutions are labelled")]
    [Range(1, int.MaxValue)]
    public int LabelProblems { get; set; } = 1000;

    [Description("solutions sampled from the base policy per labelled problem")]
    [Range(1, 256)]
    public int SamplesPerProblem { get; set; } = 4;

    [Description("temperature of the sampled solutions (and rollouts)")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double LabelTemperature { get; set; } = 1.0;

    [Description("reward-model training: optimizer steps")]
    [Range(1, int.MaxValue)]
    public int RewardSteps { get; set; } = 500;

    [Description("reward-model training: labelled solutions per step")]
    [Range(1, int.MaxValue)]
    public int RewardBatchSize { get; set; } = 32;

    [Description("reward-model training: peak learning rate")]
    [Range(0.0, double.MaxValue, MinimumIsExclusive = true)]
    public double RewardLearningRate { get; set; } = 1e-3;

    [Description("initialise the reward model from a policy fine-tuned this many steps on the train problems (default recipe otherwise), instead of from the base policy (0); that fine-tuning is charged to the strategy")]
    [Range(0, int.MaxValue)]
    public int RewardInitSteps { get; set; }

    [Description("fraction of the labelled problems held out to measure the reward model (step accuracy, AUC)")]
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double HeldOutFraction { get; set; } = 0.1;

    [Description("longest sampled solution, in tokens")]
    [Range(1, int.MaxValue)]
    public int MaxNewTokens { get; set; } = 128;

    [Description("a pretrained token-probability PRM (a Hugging Face model folder, relative to the spec; Math-Shepherd style) to score steps with, instead of training one; empty: train one")]
    [OmitWhenDefault]
    public string RewardCheckpoint { get; set; } = "";

    [Description("with reward_checkpoint: the token written after each step, at which the verdict is read")]
    [OmitWhenDefault]
    public string StepTag { get; set; } = "ки";

    [Description("with reward_checkpoint: the token whose probability says the step is good")]
    [OmitWhenDefault]
    public string GoodToken { get; set; } = "+";

    [Description("with reward_checkpoint: the token whose probability says the step is bad")]
    [OmitWhenDefault]
    public string BadToken { get; set; } = "-";

    /// <summary><see cref="RewardCheckpoint"/> resolved against the spec's folder when the spec was read; null before.</summary>
    public string? ResolvedRewardCheckpoint { get; private set; }

    /// <summary>Whether these settings label steps with the task's step checker (<see cref="StepLabelSource.Exact"/>, the default); a strategy that trains no reward model overrides it.</summary>
    public virtual bool RequiresStepChecker => Labels == StepLabelSource.Exact && RewardCheckpoint.Length == 0;

    /// <summary>Resolves <see cref="RewardCheckpoint"/> against the spec's folder and checks the folder, its tokenizer and the three tokens.</summary>
    public IReadOnlyList<(string Key, string Message)> ResolvePaths(string specFolder)
    {
        if (RewardCheckpoint.Length == 0)
        {
            return [];
        }

        string folder = Path.GetFullPath(Path.Combine(specFolder, RewardCheckpoint));
        try
        {
            ModelFolder.Inspect(folder);
            TokenProbabilityRewardModel.ResolveTokens(HfTokenizer.Load(folder), StepTag, GoodToken, BadToken);
        }
        catch (Exception e) when (e is ModelFolderException or HfTokenizerException)
        {
            return [("reward_checkpoint", e.Message)];
        }
        catch (ArgumentException e)
        {
            string key = e.Message.StartsWith("step_tag", StringComparison.Ordinal) ? "step_tag" : e.Message.StartsWith("good_token", StringComparison.Ordinal) ? "good_token" : "bad_token";
            return [(key, e.Message)];
        }

        ResolvedRewardCheckpoint = folder;
        return [];
    }

    /// <summary>Every setting that determines the trained reward model, for its cache key.</summary>
    internal string Describe() =>
        string.Join('|', RewardModel, Labels, Labels == StepLabelSource.MonteCarlo ? Rollouts : 0, LabelProblems, SamplesPerProblem,
            LabelTemperature.ToString("R", System.Globalization.CultureInfo.InvariantCulture), RewardSteps, RewardBatchSize,
            RewardLearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            HeldOutFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture), MaxNewTokens, RewardInitSteps)
        + (RewardHead == RewardHead.Scalar ? "" : $"|{RewardHead}|{RewardBeta.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
}
