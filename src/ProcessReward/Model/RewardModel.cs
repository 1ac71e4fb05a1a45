using Reasoning.Policy.Accounting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;
using TorchSharp.Modules;
using Transformer = Reasoning.Policy.Model.Transformer;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Reasoning.ProcessReward.Model;

/// <summary>
/// A reward model: a <see cref="Transformer"/> backbone whose final hidden states feed a scalar head
/// Linear(C, 1), read at the line-end token (end of step, end of answer) of every line after the prompt
/// (the PRM of Lightman et al. 2023; the ORM of Cobbe et al. 2021 when <see cref="Kind"/> says so).
/// The backbone's output projection is kept, so its weights load like a policy's, but never used or trained.
/// Weights are fp32 (it is trained); it lives on the device of the policy it was copied from.
/// </summary>
public sealed class RewardModel : Module
{
    /// <summary>Name of the backbone's unused output projection (present only when the embeddings are untied).</summary>
    private const string UnusedOutputProjection = "backbone.output.weight";

    private readonly Transformer backbone;
    private readonly Linear head;

    public RewardModelKind Kind { get; }

    /// <summary>The tokenizer whose ids the backbone reads.</summary>
    public CharTokenizer Tokenizer { get; }

    public TransformerConfig Config => backbone.Config;

    public Device Device => backbone.Device;

    /// <summary>A fresh model: backbone weights as <see cref="Transformer(TransformerConfig, long)"/> draws them, head N(0, 0.02), bias 0.</summary>
    public RewardModel(TransformerConfig config, CharTokenizer tokenizer, RewardModelKind kind, long seed) : base("reward_model")
    {
        if (tokenizer.VocabularySize > config.VocabularySize)
        {
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabularySize} ids; the model's vocabulary only {config.VocabularySize}", nameof(tokenizer));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown reward model kind");
        }

        Kind = kind;
        Tokenizer = tokenizer;
        backbone = new Transformer(config, seed);
        head = Linear(config.Dimension, 1, hasBias: true);
        RegisterComponents();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            // Linear's own initialisation draws from the global generator; a seeded one keeps the model a function of its seed.
            var generator = new Generator((ulong)seed ^ 0x5EED_4EADUL);
            head.weight!.copy_(randn(head.weight.shape, generator: generator) * 0.02);
            head.bias!.zero_();
        }

        foreach ((string name, Parameter p) in named_parameters())
        {
            p.DetachFromDisposeScope();
            if (name == UnusedOutputProjection)
            {
                p.requires_grad = false;
            }
        }
    }

    /// <summary>
    /// A model whose backbone starts from a trained policy's weights (a copy: the policy is not touched),
    /// on the policy's device, in fp32. The head is fresh, drawn from <paramref name="seed"/>.
    /// </summary>
    public static RewardModel FromPolicy(Transformer policy, CharTokenizer tokenizer, RewardModelKind kind, long seed)
    {
        var model = new RewardModel(policy.Config, tokenizer, kind, seed);
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
    public static RewardModel Fresh(TransformerConfig config, CharTokenizer tokenizer, RewardModelKind kind, long seed, Device? device = null)
    {
        var model = new RewardModel(config, tokenizer, kind, seed);
        if (device is not null)
        {
            model.to(device);
        }

        return model;
    }

    /// <summary>The parameters training updates: all but the backbone's unused output projection.</summary>
    public IEnumerable<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad);

    /// <summary>Parameters that take part in the matrix multiplications of one token: the backbone's minus its output projection, plus the head.</summary>
    public long MatmulParameters => Config.MatmulParameters - (long)Config.VocabularySize * Config.Dimension + Config.Dimension;

    /// <summary>
    /// Forward FLOPs, from the project's one count (<see cref="TransformerConfig.ForwardFlops"/>) with the output
    /// projection (2·V·C per token) replaced by the head's (2·C per token). Training is 3 × this.
    /// </summary>
    public double ForwardFlops(long tokens, double attendedPositions) =>
        Config.ForwardFlops(tokens, attendedPositions) - 2.0 * ((long)Config.VocabularySize * Config.Dimension - Config.Dimension) * tokens;

    /// <summary>
    /// <see cref="MemoryEstimate.Training"/> (fp32, AdamW) for a batch of <paramref name="batch"/> × <paramref name="length"/>
    /// tokens, with the head's one fp32 logit per token in place of the vocabulary's logits.
    /// </summary>
    public long EstimatedTrainingBytes(int batch, int length) =>
        MemoryEstimate.Training(Config, batch, length, 4, OptimizerKind.AdamW).Total - HeadLogitSaving(batch, length);

    /// <summary><see cref="MemoryEstimate.Inference"/> (fp32) of one plain forward pass: no KV cache, one logit per token.</summary>
    public long EstimatedScoringBytes(int batch, int length)
    {
        MemoryBreakdown memory = MemoryEstimate.Inference(Config, batch, length, 4);
        long vocabularyActivations = (long)batch * length * (Config.Dimension + Math.Max(2L * Config.HiddenDimension, Config.VocabularySize)) * 4;
        long headActivations = (long)batch * length * (Config.Dimension + Math.Max(2L * Config.HiddenDimension, 1)) * 4;
        return memory.Total - memory.KvCache - vocabularyActivations + headActivations;
    }

    private long HeadLogitSaving(int batch, int length) => (long)batch * length * (Config.VocabularySize - 1) * MemoryEstimate.LossLogitBytes;

    /// <summary>A reward logit at every position (only line ends after the prompt mean anything).</summary>
    /// <param name="ids">[B, T] token ids.</param>
    /// <param name="positions">[B, T] rotary positions (long).</param>
    /// <returns>[B, T] logits; sigmoid gives the probability that the solution is on a right track.</returns>
    public Tensor Forward(Tensor ids, Tensor positions)
    {
        Tensor hidden = backbone.HiddenStates(ids, positions);                          // [B, T, C]
        return head.call(hidden).squeeze(-1);                                           // [B, T]
    }
}
