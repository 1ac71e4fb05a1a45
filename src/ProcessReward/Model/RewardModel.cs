using Reasoning.Core.Accounting;
using Reasoning.Core.Solutions;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Checkpoints;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;
using Reasoning.ProcessReward.Scoring;
using TorchSharp;
using TorchSharp.Modules;
using Transformer = Reasoning.Policy.Model.Transformer;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Reasoning.ProcessReward.Model;

/// <summary>
/// A reward model: a <see cref="Transformer"/> backbone and a score at the line-end token (end of step, end of answer)
/// of every line after the prompt (the PRM of Lightman et al. 2023; the ORM of Cobbe et al. 2021 when
/// <see cref="Kind"/> says so). <see cref="Head"/> says how the score is read: a linear head on the final hidden state
/// (<see cref="RewardHead.Scalar"/>), the implicit process reward of the backbone read as a language model against the
/// frozen policy it started from (<see cref="RewardHead.Implicit"/>), or both summed.
/// The backbone's output projection is kept, so its weights load like a policy's; the scalar head neither uses nor trains it.
/// The frozen reference policy is not part of the model (not saved, not trained): it is the caller's, typically the
/// base policy itself, so no copy is made. Weights are fp32 (it is trained); it lives on the device of the policy it was copied from.
/// </summary>
public sealed class RewardModel : Module, IStepScorer
{
    /// <summary>Name of the backbone's unused output projection (present only when the embeddings are untied).</summary>
    private const string UnusedOutputProjection = "backbone.output.weight";

    private readonly Transformer backbone;
    private readonly Linear head;

    /// <summary>The frozen π_ref of the implicit reward; null for <see cref="RewardHead.Scalar"/>. Not owned.</summary>
    private readonly Transformer? reference;

    public RewardModelKind Kind { get; }

    /// <summary>How the score at a line end is computed.</summary>
    public RewardHead Head { get; }

    /// <summary>β of the implicit reward (the scale of its log-likelihood ratio); unused by <see cref="RewardHead.Scalar"/>.</summary>
    public double Beta { get; }

    private bool UsesImplicit => Head != RewardHead.Scalar;

    /// <summary>The tokenizer whose ids the backbone reads.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>How the solutions it scores are written: where one step ends and the next begins.</summary>
    public ISolutionFormat Format { get; private set; } = LineSolutionFormat.Instance;

    /// <summary>Scores solutions written in <paramref name="format"/> (a free-text task's); the line format until this is called.</summary>
    public RewardModel WithFormat(ISolutionFormat format)
    {
        Format = format;
        return this;
    }

    public TransformerConfig Config => backbone.Config;

    public Device Device => backbone.Device;

    /// <summary>A fresh model: backbone weights as <see cref="Transformer(TransformerConfig, long)"/> draws them, head N(0, 0.02), bias 0.</summary>
    /// <param name="config">The backbone's shape.</param>
    /// <param name="tokenizer">The tokenizer whose ids it reads.</param>
    /// <param name="kind">Which line ends are trained.</param>
    /// <param name="seed">Draws the weights.</param>
    /// <param name="head">How a line end is scored.</param>
    /// <param name="reference">The frozen policy of the implicit reward (required unless <paramref name="head"/> is <see cref="RewardHead.Scalar"/>; it must read the same vocabulary). Not copied, not owned.</param>
    /// <param name="beta">β of the implicit reward, positive.</param>
    public RewardModel(
        TransformerConfig config, ITokenizer tokenizer, RewardModelKind kind, long seed,
        RewardHead head = RewardHead.Scalar, Transformer? reference = null, double beta = 1.0) : base("reward_model")
    {
        if (tokenizer.VocabularySize > config.VocabularySize)
        {
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabularySize} ids; the model's vocabulary only {config.VocabularySize}", nameof(tokenizer));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown reward model kind");
        }

        if (!Enum.IsDefined(head))
        {
            throw new ArgumentOutOfRangeException(nameof(head), head, "unknown reward head");
        }

        if (head != RewardHead.Scalar)
        {
            if (reference is null)
            {
                throw new ArgumentException($"the {head} reward head needs the frozen reference policy", nameof(reference));
            }

            if (reference.Config.VocabularySize != config.VocabularySize)
            {
                throw new ArgumentException(
                    $"the reference policy reads {reference.Config.VocabularySize} ids; the reward model {config.VocabularySize}", nameof(reference));
            }

            if (!(beta > 0) || double.IsInfinity(beta))
            {
                throw new ArgumentOutOfRangeException(nameof(beta), beta, "the implicit reward's beta must be positive and finite");
            }
        }

        Kind = kind;
        Head = head;
        Beta = beta;
        Tokenizer = tokenizer;
        backbone = new Transformer(config, seed);
        this.head = Linear(config.Dimension, 1, hasBias: true);
        RegisterComponents();
        // Set after registration: the reference is the caller's, not a submodule to save, train or dispose.
        this.reference = head == RewardHead.Scalar ? null : reference;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            // Linear's own initialisation draws from the global generator; a seeded one keeps the model a function of its seed.
            var generator = new Generator((ulong)seed ^ 0x5EED_4EADUL);
            this.head.weight!.copy_(randn(this.head.weight.shape, generator: generator) * 0.02);
            this.head.bias!.zero_();
        }

        foreach ((string name, Parameter p) in named_parameters())
        {
            p.DetachFromDisposeScope();
            if (name == UnusedOutputProjection && !UsesImplicit)
            {
                p.requires_grad = false;
            }
        }
    }

    /// <summary>
    /// A model whose backbone starts from a trained policy's weights (a copy: the policy is not touched),
    /// on the policy's device, in fp32. The head is fresh, drawn from <paramref name="seed"/>. An implicit head
    /// takes <paramref name="reference"/> as its frozen π_ref, or <paramref name="policy"/> itself when that is null.
    /// </summary>
    public static RewardModel FromPolicy(
        Transformer policy, ITokenizer tokenizer, RewardModelKind kind, long seed,
        RewardHead head = RewardHead.Scalar, double beta = 1.0, Transformer? reference = null)
    {
        var model = new RewardModel(policy.Config, tokenizer, kind, seed, head, reference ?? policy, beta);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var source = policy.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach ((string name, Parameter p) in model.backbone.named_parameters())
            {
                p.copy_(source[name].to(float32).cpu());
            }
        }

        model.to(policy.Device);
        return model;
    }

    /// <summary>A fresh model of its own (usually smaller) shape, on <paramref name="device"/> (CPU when null).</summary>
    public static RewardModel Fresh(
        TransformerConfig config, ITokenizer tokenizer, RewardModelKind kind, long seed, Device? device = null,
        RewardHead head = RewardHead.Scalar, Transformer? reference = null, double beta = 1.0)
    {
        var model = new RewardModel(config, tokenizer, kind, seed, head, reference, beta);
        if (device is not null)
        {
            model.to(device);
        }

        return model;
    }

    /// <summary>The file beside a saved backbone's weights that holds the scalar head (<c>score.weight</c> [1, C], <c>score.bias</c> [1]).</summary>
    public const string HeadFile = "reward_head.safetensors";

    /// <summary>
    /// Saves the model as a Hugging Face model folder: the backbone as a policy's (config.json, safetensors, and the
    /// tokenizer files of <paramref name="sourceFolder"/>), which the same loader and transformers read, and the scalar
    /// head beside it in <see cref="HeadFile"/>. The frozen reference of an implicit head is the caller's and is not saved.
    /// </summary>
    public void SaveFolder(string folder, string? sourceFolder)
    {
        ModelFolder.Save(folder, backbone, sourceFolder);
        using var scope = NewDisposeScope();
        SafeTensors.Write(Path.Combine(folder, HeadFile),
            [("score.weight", head.weight!.detach().to(float32).cpu()), ("score.bias", head.bias!.detach().to(float32).cpu())]);
    }

    /// <summary>Copies a folder written by <see cref="SaveFolder"/> into this model (same shape), converting to its dtype and device.</summary>
    /// <exception cref="ModelFolderException">The folder is damaged or of another shape; the model is left untouched.</exception>
    public void LoadFolder(string folder)
    {
        using LoadedModelFolder loaded = ModelFolder.Load(folder, Config.MaxSequenceLength);
        var differences = ConfigFields.Differences(loaded.Model.Config, Config);
        if (differences.Count > 0)
        {
            throw new ModelFolderException(folder, "its config differs from the reward model's: " + string.Join("; ", differences));
        }

        string headFile = Path.Combine(folder, HeadFile);
        var entries = SafeTensors.ReadHeader(headFile).ToDictionary(e => e.Name);
        using var scope = NewDisposeScope();
        using var handle = File.OpenHandle(headFile);
        Tensor Read(string name, long[] shape) =>
            entries.TryGetValue(name, out var entry) && entry.Shape.SequenceEqual(shape)
                ? SafeTensors.Read(handle, entry)
                : throw new ModelFolderException(headFile, $"tensor {name} of shape [{string.Join(", ", shape)}] is missing or of another shape");
        Tensor weight = Read("score.weight", [1, Config.Dimension]), bias = Read("score.bias", [1]);
        using var noGrad = no_grad();
        var source = loaded.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach ((string name, Parameter p) in backbone.named_parameters())
        {
            p.copy_(source[name]);
        }

        head.weight!.copy_(weight);
        head.bias!.copy_(bias);
    }

    /// <summary>Per solution, one score per step: <see cref="RewardScorer.Score"/>.</summary>
    public double[][] Score(IReadOnlyList<SolutionLines> solutions, IUsageMeter meter) => RewardScorer.Score(this, solutions, meter);

    /// <summary>The parameters training updates: all but the backbone's output projection when the scalar head leaves it unused.</summary>
    public IEnumerable<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad);

    /// <summary>
    /// Parameters that take part in the matrix multiplications of one token: the backbone's, without its output
    /// projection for the scalar head alone, plus the head (the reference's are in <see cref="ScoringFlops"/>).
    /// </summary>
    public long MatmulParameters =>
        (UsesImplicit ? Config.MatmulParameters : Config.MatmulParameters - (long)Config.VocabularySize * Config.Dimension) + Config.Dimension;

    /// <summary>
    /// Forward FLOPs of the trained model, from the project's one count (<see cref="TransformerConfig.ForwardFlops"/>):
    /// for the scalar head, the output projection (2·V·C per token) replaced by the head's (2·C per token); for the
    /// implicit heads the output projection is used and the head's 2·C is added when it is read too.
    /// </summary>
    public double ForwardFlops(long tokens, double attendedPositions) => Head switch
    {
        RewardHead.Scalar => Config.ForwardFlops(tokens, attendedPositions) - 2.0 * ((long)Config.VocabularySize * Config.Dimension - Config.Dimension) * tokens,
        RewardHead.Implicit => Config.ForwardFlops(tokens, attendedPositions),
        _ => Config.ForwardFlops(tokens, attendedPositions) + 2.0 * Config.Dimension * tokens,
    };

    /// <summary>Forward FLOPs of the frozen reference over the same tokens; 0 for the scalar head, which has none.</summary>
    private double ReferenceFlops(long tokens, double attendedPositions) =>
        reference is null ? 0 : reference.Config.ForwardFlops(tokens, attendedPositions);

    /// <summary>FLOPs of one scoring pass: the model's forward and, for the implicit heads, the reference's.</summary>
    public double ScoringFlops(long tokens, double attendedPositions) => ForwardFlops(tokens, attendedPositions) + ReferenceFlops(tokens, attendedPositions);

    /// <summary>FLOPs of one training step: 3 × the model's forward (forward and backward) plus the reference's forward (no gradient).</summary>
    public double TrainingFlops(long tokens, double attendedPositions) => 3 * ForwardFlops(tokens, attendedPositions) + ReferenceFlops(tokens, attendedPositions);

    /// <summary>
    /// <see cref="MemoryEstimate.Training"/> (fp32, AdamW) for a batch of <paramref name="batch"/> × <paramref name="length"/>
    /// tokens: with the head's one fp32 logit per token in place of the vocabulary's logits for the scalar head; the
    /// vocabulary's logits and the reference's weights and forward pass for the implicit heads.
    /// </summary>
    public long EstimatedTrainingBytes(int batch, int length)
    {
        long training = MemoryEstimate.Training(Config, batch, length, 4, OptimizerKind.AdamW).Total;
        return UsesImplicit ? training + ReferenceBytes(batch, length) : training - HeadLogitSaving(batch, length);
    }

    /// <summary><see cref="MemoryEstimate.Inference"/> (fp32) of one plain forward pass: no KV cache, one logit per token (scalar head) or the vocabulary's and the reference's (implicit heads).</summary>
    public long EstimatedScoringBytes(int batch, int length)
    {
        MemoryBreakdown memory = MemoryEstimate.Inference(Config, batch, length, 4);
        if (UsesImplicit)
        {
            return memory.Total - memory.KvCache + ReferenceBytes(batch, length);
        }

        long vocabularyActivations = (long)batch * length * (Config.Dimension + Math.Max(2L * Config.HiddenDimension, Config.VocabularySize)) * 4;
        long headActivations = (long)batch * length * (Config.Dimension + Math.Max(2L * Config.HiddenDimension, 1)) * 4;
        return memory.Total - memory.KvCache - vocabularyActivations + headActivations;
    }

    /// <summary>The reference's weights (in its own precision) and one forward pass's activations, without a KV cache.</summary>
    private long ReferenceBytes(int batch, int length)
    {
        MemoryBreakdown memory = MemoryEstimate.Inference(reference!.Config, batch, length, 4);
        return reference.WeightBytes + memory.Activations;
    }

    private long HeadLogitSaving(int batch, int length) => (long)batch * length * (Config.VocabularySize - 1) * MemoryEstimate.LossLogitBytes;

    /// <summary>A reward logit at every position (only line ends after the prompt mean anything).</summary>
    /// <param name="ids">[B, T] token ids.</param>
    /// <param name="positions">[B, T] rotary positions (long).</param>
    /// <param name="promptLengths">[B] tokens of each row's question (the written tokens start there); needed by the implicit heads only.</param>
    /// <returns>[B, T] logits; sigmoid gives the probability that the solution is on a right track.</returns>
    public Tensor Forward(Tensor ids, Tensor positions, Tensor? promptLengths = null)
    {
        Tensor hidden = backbone.HiddenStates(ids, positions);                          // [B, T, C]
        if (!UsesImplicit)
        {
            return head.call(hidden).squeeze(-1);                                       // [B, T]
        }

        if (promptLengths is null)
        {
            throw new ArgumentNullException(nameof(promptLengths), $"the {Head} reward head needs each row's prompt length");
        }

        Tensor implicitReward = ImplicitReward(backbone.Project(hidden), ids, positions, promptLengths); // [B, T]
        return Head == RewardHead.Implicit ? implicitReward : implicitReward + head.call(hidden).squeeze(-1);
    }

    /// <summary>
    /// q[b, t] = β · Σ_{p ≤ i ≤ t} (log π_θ(ids[b, i] | ids[b, &lt;i]) − log π_ref(ids[b, i] | ids[b, &lt;i])), p the row's prompt
    /// length; 0 for t &lt; p. Worked example (β = 1, prompt length 2, three ids): per-token log-ratios at positions 1 and 2
    /// of 0.5 and −1.5 give q = [0, 0, −1.5] (position 1 is in the prompt); with prompt length 1, q = [0, 0.5, −1.0].
    /// </summary>
    private Tensor ImplicitReward(Tensor logits, Tensor ids, Tensor positions, Tensor promptLengths)
    {
        long t = ids.shape[1];
        Tensor policyLogProbs = ContinuationScorer.NextTokenLogProbabilities(logits, ids);                   // [B, T-1]
        Tensor referenceLogProbs;
        using (no_grad())
        {
            referenceLogProbs = ContinuationScorer.NextTokenLogProbabilities(reference!.Forward(ids, positions), ids); // [B, T-1]
        }

        Tensor written = arange(1, t, device: ids.device).unsqueeze(0).ge(promptLengths.unsqueeze(1));      // [B, T-1]: token i+1 is written
        Tensor ratio = (policyLogProbs - referenceLogProbs).mul(written) * Beta;                            // [B, T-1]
        return nn.functional.pad(ratio.cumsum(1), [1, 0]);                                                   // [B, T]
    }
}
