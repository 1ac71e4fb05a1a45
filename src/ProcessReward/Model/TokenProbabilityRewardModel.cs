using Reasoning.Core.Accounting;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;
using Reasoning.ProcessReward.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.ProcessReward.Model;

/// <summary>
/// A pretrained process reward model that reads its verdict off next-token probabilities, as Math-Shepherd's does
/// (Wang et al. 2024, "Math-Shepherd"; peiyi9979/math-shepherd-mistral-7b-prm): the solution is written as
/// <c>question step₁ ки\nstep₂ ки\n…</c>, each step followed by a step-tag token, and a step's score is
/// P(good) / (P(good) + P(bad)) of the two candidate tokens at its tag, the softmax over those two logits alone.
/// Loaded from a Hugging Face folder; never trained here. Every pass is charged: processed tokens and forward FLOPs.
/// </summary>
public sealed class TokenProbabilityRewardModel : IStepScorer
{
    /// <summary>Rows per forward pass.</summary>
    public const int BatchSize = 16;

    private readonly Transformer _model;
    private readonly HfTokenizer _tokenizer;
    private readonly int _tag, _good, _bad;

    private TokenProbabilityRewardModel(Transformer model, HfTokenizer tokenizer, int tag, int good, int bad)
    {
        (_model, _tokenizer, _tag, _good, _bad) = (model, tokenizer, tag, good, bad);
        _model.eval();
    }

    public RewardModelKind Kind => RewardModelKind.ProcessReward;

    /// <summary>The model's shape.</summary>
    public TransformerConfig Config => _model.Config;

    /// <summary>The ids of the step tag and of the good and bad tokens.</summary>
    public (int Tag, int Good, int Bad) TokenIds => (_tag, _good, _bad);

    /// <summary>
    /// Checks that <paramref name="folder"/> is a model folder whose tokenizer has each of the three tokens as one id
    /// (as a token of its vocabulary, or text that encodes to exactly one id, as Math-Shepherd's <c>ки</c>, <c>+</c> and <c>-</c> do).
    /// </summary>
    /// <returns>The three ids.</returns>
    /// <exception cref="ArgumentException">A token is not one id; the message names the token, its role and what it encodes to.</exception>
    public static (int Tag, int Good, int Bad) ResolveTokens(HfTokenizer tokenizer, string stepTag, string goodToken, string badToken) =>
        (Resolve(tokenizer, stepTag, "step_tag"), Resolve(tokenizer, goodToken, "good_token"), Resolve(tokenizer, badToken, "bad_token"));

    /// <summary>Loads the model and its tokenizer from a Hugging Face folder, onto <paramref name="device"/> in <paramref name="dtype"/>.</summary>
    public static TokenProbabilityRewardModel Load(string folder, string stepTag, string goodToken, string badToken, Device device, ScalarType dtype)
    {
        HfTokenizer tokenizer = HfTokenizer.Load(folder);
        (int tag, int good, int bad) = ResolveTokens(tokenizer, stepTag, goodToken, badToken);
        LoadedModelFolder loaded = ModelFolder.Load(folder);
        loaded.Model.to(device);
        if (dtype != ScalarType.Float32)
        {
            loaded.Model.to(dtype);
        }

        return new TokenProbabilityRewardModel(loaded.Model, tokenizer, tag, good, bad);
    }

    private static int Resolve(HfTokenizer tokenizer, string text, string role)
    {
        if (tokenizer.IdOf(text) is int id)
        {
            return id;
        }

        IReadOnlyList<int> ids = tokenizer.Encode(text);
        return ids.Count == 1
            ? ids[0]
            : throw new ArgumentException($"{role} \"{text}\" is not one token of this tokenizer: it encodes to {ids.Count} ids [{string.Join(", ", ids)}]");
    }

    /// <summary>The ids of a solution as the PRM reads it, and the position of each step's tag.</summary>
    internal (List<int> Ids, List<int> Tags) Encode(SolutionLines solution)
    {
        var ids = new List<int>();
        if (_tokenizer.AddsBeginToken && _tokenizer.BeginId is int begin)
        {
            ids.Add(begin);
        }

        ids.AddRange(_tokenizer.Encode(solution.Prompt + " "));
        var tags = new List<int>(solution.Lines.Count);
        for (int i = 0; i < solution.Lines.Count; i++)
        {
            ids.AddRange(_tokenizer.Encode(solution.Lines[i] + " "));
            ids.Add(_tag);
            tags.Add(ids.Count - 1);
            if (i + 1 < solution.Lines.Count)
            {
                ids.AddRange(_tokenizer.Encode("\n"));
            }
        }

        return (ids, tags);
    }

    public double[][] Score(IReadOnlyList<SolutionLines> solutions, IUsageMeter meter)
    {
        var inputs = solutions.Select(Encode).ToArray();
        int tooLong = Array.FindIndex(inputs, i => i.Ids.Count > _model.Config.MaxSequenceLength);
        if (tooLong >= 0)
        {
            throw new ArgumentException($"solution {tooLong} has {inputs[tooLong].Ids.Count} tokens; the reward model takes {_model.Config.MaxSequenceLength}", nameof(solutions));
        }

        var result = inputs.Select(_ => Array.Empty<double>()).ToArray();
        int[] order = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].Tags.Count > 0).OrderByDescending(i => inputs[i].Ids.Count).ToArray();
        foreach (int[] rows in order.Chunk(BatchSize))
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            int t = rows.Max(r => inputs[r].Ids.Count);
            var ids = new long[rows.Length * t]; // right-padded with id 0: causal attention keeps padding out of every real position
            for (int i = 0; i < rows.Length; i++)
            {
                List<int> row = inputs[rows[i]].Ids;
                for (int j = 0; j < row.Count; j++)
                {
                    ids[i * t + j] = row[j];
                }
            }

            Tensor tokens = tensor(ids, new long[] { rows.Length, t }, device: _model.Device);                 // [B, T]
            Tensor positions = arange(t, device: _model.Device).expand(rows.Length, t);                          // [B, T]
            Tensor hidden = _model.HiddenStates(tokens, positions);                                              // [B, T, C]
            Tensor candidates = tensor(new long[] { _good, _bad }, device: _model.Device);                       // [2]
            // Only the two candidate rows of the output projection are needed: [B, T, 2].
            Tensor logits = _model.Project(hidden).index_select(-1, candidates).to(float32);
            float[] good = nn.functional.softmax(logits, -1).select(-1, 0).cpu().data<float>().ToArray();        // [B·T]
            for (int i = 0; i < rows.Length; i++)
            {
                result[rows[i]] = inputs[rows[i]].Tags.Select(p => (double)good[i * t + p]).ToArray();
            }

            long processed = (long)rows.Length * t;
            meter.Record(new Usage(0, processed, 0, _model.Config.ForwardFlops(processed, rows.Length * t * (t + 1) / 2.0)));
        }

        return result;
    }

    public void Dispose() => _model.Dispose();
}
