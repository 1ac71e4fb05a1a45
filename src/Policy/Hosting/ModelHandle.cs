using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;

namespace Reasoning.Policy.Hosting;

/// <summary>What a model held by the host is for.</summary>
public enum ModelRole
{
    /// <summary>The fine-tuned base policy, frozen.</summary>
    Base,

    /// <summary>A copy that a strategy trains (fp32, gradients on).</summary>
    Trainable,

    /// <summary>A frozen copy kept for comparison, e.g. GRPO's KL reference.</summary>
    Reference,
}

/// <summary>
/// A model held by the <see cref="PolicyHost"/>, with its tokenizer and role. Handles are
/// explicit so every copy's memory is counted; dispose a handle to release its model.
/// </summary>
public sealed class ModelHandle : IDisposable
{
    internal ModelHandle(string name, ModelRole role, Transformer model, ITokenizer tokenizer)
    {
        Name = name;
        Role = role;
        Model = model;
        Tokenizer = tokenizer;
    }

    public string Name { get; }

    public ModelRole Role { get; }

    /// <summary>The module. A trainable handle's module may be trained by its owner; others must not be.</summary>
    public Transformer Model { get; }

    /// <summary>The model's text side: the character tokenizer of a built-in model, or a <see cref="PretrainedTokenizer"/>.</summary>
    public ITokenizer Tokenizer { get; }

    public bool IsDisposed { get; private set; }

    /// <summary>Bytes of the weights (parameters × element size).</summary>
    public long WeightBytes => Model.WeightBytes;

    public torch.ScalarType Dtype => Model.Dtype;

    internal event Action<ModelHandle>? Disposed;

    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        IsDisposed = true;
        Model.Dispose();
        Disposed?.Invoke(this);
    }

    public override string ToString() => $"{Name} ({Role}, {Dtype}, {WeightBytes:N0} bytes)";
}

/// <summary>A generated continuation, decoded.</summary>
/// <param name="Text">The decoded continuation (line ends as newlines).</param>
/// <param name="Tokens">Token ids, the stop token included.</param>
/// <param name="LogProbabilities">Per token log-probabilities (see <see cref="Generation.GeneratedSequence"/>).</param>
/// <param name="Stopped">Ended at a stop token rather than the length limit.</param>
public sealed record Completion(string Text, IReadOnlyList<int> Tokens, IReadOnlyList<float> LogProbabilities, bool Stopped);
