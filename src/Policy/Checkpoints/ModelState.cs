using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using static TorchSharp.torch;

namespace Reasoning.Policy.Checkpoints;

/// <summary>Receives payload bytes in order.</summary>
internal delegate void ByteSink(ReadOnlySpan<byte> bytes);

/// <summary>
/// A model's state dict as a checkpoint stores it: the content section and CPU, contiguous
/// copies of the tensors (views when they already are). Capture it inside a dispose scope,
/// which owns those tensors. Save and <see cref="Checkpoint.ContentHash"/> both start here, so
/// the hash a file reports and the hash of a model in memory cannot drift apart.
/// </summary>
internal sealed class ModelState
{
    private readonly Tensor[] _tensors;

    public CheckpointContent Content { get; }

    public long PayloadLength => Content.Tensors.Sum(t => t.Length);

    private ModelState(CheckpointContent content, Tensor[] tensors) => (Content, _tensors) = (content, tensors);

    /// <exception cref="ArgumentException">The tokenizer does not fit the model, or a tensor is neither float32 nor bfloat16.</exception>
    public static ModelState Capture(Transformer model, CharTokenizer tokenizer)
    {
        if (tokenizer.VocabularySize != model.Config.VocabularySize)
        {
            throw new ArgumentException(
                $"the tokenizer has {tokenizer.VocabularySize} ids but the model's config has a vocabulary of {model.Config.VocabularySize}",
                nameof(tokenizer));
        }

        var entries = new List<TensorEntry>();
        var tensors = new List<Tensor>();
        long offset = 0;
        foreach ((string name, Tensor tensor) in model.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string dtype = TensorDtypes.Name(tensor.dtype)
                ?? throw new ArgumentException($"tensor {name} is {tensor.dtype}; checkpoints store float32 and bfloat16", nameof(model));
            Tensor stored = tensor.detach().cpu().contiguous();
            long length = stored.numel() * stored.element_size();
            entries.Add(new TensorEntry(name, dtype, stored.shape, offset, length));
            tensors.Add(stored);
            offset += length;
        }

        return new ModelState(new CheckpointContent(model.Config, tokenizer.Characters, entries), tensors.ToArray());
    }

    /// <summary>The content hash (hex SHA-256) of <see cref="CheckpointFormat"/>.</summary>
    public string ContentHash()
    {
        using var hash = CheckpointFormat.StartContentHash(Content);
        WritePayload(bytes => hash.AppendData(bytes));
        return CheckpointFormat.Hex(hash);
    }

    /// <summary>Hands the payload to <paramref name="sink"/> tensor by tensor, little-endian.</summary>
    public void WritePayload(ByteSink sink)
    {
        for (int i = 0; i < _tensors.Length; i++)
        {
            Span<byte> bytes = _tensors[i].bytes;
            if (BitConverter.IsLittleEndian)
            {
                sink(bytes);
            }
            else
            {
                // Swap a copy: the span may be the model's own memory.
                byte[] copy = bytes.ToArray();
                TensorDtypes.SwapUnlessLittleEndian(copy, (int)_tensors[i].element_size());
                sink(copy);
            }
        }
    }
}
