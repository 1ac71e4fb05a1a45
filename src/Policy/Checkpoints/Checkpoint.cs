using System.Security.Cryptography;
using System.Text.Json;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;
using static Reasoning.Policy.Checkpoints.CheckpointException;
using static TorchSharp.torch;

namespace Reasoning.Policy.Checkpoints;

/// <summary>
/// One file per policy: weights, config, tokenizer characters, free-form metadata and a content
/// hash (the layout, and what the hash covers: <see cref="CheckpointFormat"/>). Saves are atomic;
/// loads check every byte before a weight is copied and say whether a bad file is truncated,
/// corrupted or mismatched (<see cref="CheckpointException"/>). Every tensor made here lives in a
/// dispose scope; a loaded model is built outside them, because a scope would take the weights
/// its modules create.
/// </summary>
public static class Checkpoint
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    /// <summary>
    /// Writes the model's state dict (float32 or bfloat16 tensors), config and tokenizer to
    /// <paramref name="path"/>. Atomic: the bytes go to <c>path.tmp-&lt;guid&gt;</c> in the same
    /// folder, are flushed to disk, and the temporary file then replaces <paramref name="path"/>.
    /// A crash leaves the old file (or none) plus at most that temporary file, never a partial
    /// <paramref name="path"/>.
    /// </summary>
    /// <returns>The content hash, the one <see cref="ContentHash"/> gives for this model and tokenizer.</returns>
    /// <exception cref="ArgumentException">The tokenizer's vocabulary is not the config's, or a tensor is of another dtype.</exception>
    public static string Save(string path, Transformer model, CharTokenizer tokenizer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string target = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using var scope = NewDisposeScope();
        ModelState state = ModelState.Capture(model, tokenizer);
        var header = new CheckpointHeader(
            state.Content,
            state.PayloadLength,
            state.ContentHash(),
            (metadata ?? NoMetadata).OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal));
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, CheckpointFormat.Json);
        if (json.Length > CheckpointFormat.MaxHeaderLength)
        {
            throw new ArgumentException($"the checkpoint header would take {json.Length} bytes; keep metadata small", nameof(metadata));
        }

        string temporary = $"{target}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            using (var fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                void Write(ReadOnlySpan<byte> bytes)
                {
                    stream.Write(bytes);
                    fileHash.AppendData(bytes);
                }

                Write(CheckpointFormat.Preamble(CheckpointFormat.Version, json.Length));
                Write(json);
                state.WritePayload(Write);
                stream.Write(fileHash.GetHashAndReset());
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }

        return header.ContentHash;
    }

    /// <summary>Reads a checkpoint into a new model of the file's config (bfloat16 if every tensor in the file is).</summary>
    /// <exception cref="CheckpointException">The file is truncated, corrupted, or of a format version this build does not read.</exception>
    public static LoadedCheckpoint Load(string path) => Load(path, expectedConfig: null);

    /// <summary>As <see cref="Load(string)"/>, but the file's config must equal <paramref name="expectedConfig"/> (checked before the weights are read).</summary>
    /// <exception cref="CheckpointException">As <see cref="Load(string)"/>; Mismatched, naming the fields, when the configs differ.</exception>
    public static LoadedCheckpoint Load(string path, TransformerConfig? expectedConfig)
    {
        using CheckpointReader reader = CheckpointReader.Open(path);
        CheckpointContent content = reader.Header.Content;
        if (expectedConfig is not null)
        {
            RequireConfig(path, content.Config, expectedConfig);
        }

        var model = new Transformer(content.Config, seed: 0);
        try
        {
            if (content.Tensors.Select(t => t.Dtype).Distinct().SingleOrDefault() is "bfloat16")
            {
                model.to(ScalarType.BFloat16);
            }

            CopyWeights(path, reader, model);
            return new LoadedCheckpoint(Describe(reader.Header), model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies a checkpoint's weights into an existing model (converting to its dtype and device).
    /// The model is left untouched unless the whole file checks out and fits.
    /// </summary>
    /// <exception cref="CheckpointException">
    /// Truncated or Corrupted as for <see cref="Load(string)"/>; Mismatched when the config, the
    /// tokenizer characters or a tensor name or shape differs (the message names it).
    /// </exception>
    public static CheckpointInfo LoadInto(string path, Transformer model, CharTokenizer tokenizer)
    {
        using CheckpointReader reader = CheckpointReader.Open(path);
        CheckpointContent content = reader.Header.Content;
        RequireConfig(path, content.Config, model.Config);
        RequireCharacters(path, content.Characters, tokenizer.Characters);
        CopyWeights(path, reader, model);
        return Describe(reader.Header);
    }

    /// <summary>The content hash a checkpoint of this model and tokenizer reports, without writing one.</summary>
    public static string ContentHash(Transformer model, CharTokenizer tokenizer)
    {
        using var scope = NewDisposeScope();
        return ModelState.Capture(model, tokenizer).ContentHash();
    }

    /// <summary>
    /// The config, tokenizer, metadata and content hash, from the header alone: a cache can compare
    /// the hash with <see cref="ContentHash"/> without reading the weights. Checks the preamble,
    /// the header and the file's length, but not the payload against the trailer: that is
    /// <see cref="Load(string)"/>'s job.
    /// </summary>
    public static CheckpointInfo ReadInfo(string path)
    {
        using CheckpointReader reader = CheckpointReader.Open(path);
        return Describe(reader.Header);
    }

    private static CheckpointInfo Describe(CheckpointHeader header) =>
        new(header.Content.Config, new CharTokenizer(header.Content.Characters), header.Metadata, header.ContentHash);

    private static void RequireConfig(string path, TransformerConfig file, TransformerConfig expected)
    {
        IReadOnlyList<string> differences = ConfigFields.Differences(file, expected);
        if (differences.Count > 0)
        {
            throw Mismatched(path, "its config differs: " + string.Join("; ", differences));
        }
    }

    private static void RequireCharacters(string path, string file, string expected)
    {
        if (file == expected)
        {
            return;
        }

        int at = file.Zip(expected).TakeWhile(p => p.First == p.Second).Count();
        throw Mismatched(
            path,
            $"its tokenizer Characters differ from position {at}: the file has \"{file}\" ({file.Length}), the tokenizer has \"{expected}\" ({expected.Length})");
    }

    /// <summary>Checks names and shapes against the header, then stages, verifies and copies under no_grad.</summary>
    private static void CopyWeights(string path, CheckpointReader reader, Transformer model)
    {
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = model.state_dict();
        Dictionary<string, TensorEntry> file = reader.Header.Content.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach ((string name, Tensor target) in state)
        {
            if (!file.TryGetValue(name, out TensorEntry? entry))
            {
                throw Mismatched(path, $"the model's tensor {name} is not in the file");
            }

            if (!entry.Shape.SequenceEqual(target.shape))
            {
                throw Mismatched(path, $"tensor {name} has shape [{string.Join(", ", entry.Shape)}] in the file but [{string.Join(", ", target.shape)}] in the model");
            }
        }

        if (file.Keys.FirstOrDefault(name => !state.ContainsKey(name)) is { } extra)
        {
            throw Mismatched(path, $"the file's tensor {extra} does not exist in the model");
        }

        IReadOnlyDictionary<string, Tensor> staged = reader.ReadTensors();
        using var noGrad = no_grad();
        foreach ((string name, Tensor target) in state)
        {
            target.copy_(staged[name]);
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure matters more; a stray temporary file names itself.
        }
    }
}
