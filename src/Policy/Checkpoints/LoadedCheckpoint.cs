using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Policy.Checkpoints;

/// <summary>What a checkpoint says about itself.</summary>
/// <param name="Metadata">Free-form entries given to <see cref="Checkpoint.Save"/>; outside the content hash.</param>
/// <param name="ContentHash">
/// Hex SHA-256 of the config, the tokenizer characters and the weights (see <see cref="CheckpointFormat"/>);
/// equal to <see cref="Checkpoint.ContentHash"/> of the model that was saved.
/// </param>
public sealed record CheckpointInfo(TransformerConfig Config, CharTokenizer Tokenizer, IReadOnlyDictionary<string, string> Metadata, string ContentHash);

/// <summary>A checkpoint read back: its description and a model that holds its weights. Disposing it disposes the model.</summary>
public sealed record LoadedCheckpoint(CheckpointInfo Info, Transformer Model) : IDisposable
{
    public TransformerConfig Config => Info.Config;

    public CharTokenizer Tokenizer => Info.Tokenizer;

    public IReadOnlyDictionary<string, string> Metadata => Info.Metadata;

    public string ContentHash => Info.ContentHash;

    public void Dispose() => Model.Dispose();
}
