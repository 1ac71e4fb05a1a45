using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using Reasoning.Policy.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Policy.Pretrained;

/// <summary>A model read from a Hugging Face folder: its config and a float32 <see cref="Transformer"/> holding its weights. Disposing it disposes the model.</summary>
public sealed record LoadedModelFolder(string Folder, HfModelConfig Config, Transformer Model) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Reads and writes Hugging Face model folders: <c>config.json</c>, the weights as <c>model.safetensors</c> or as
/// shards <c>model-0000k-of-0000n.safetensors</c> listed in <c>model.safetensors.index.json</c>, and the tokenizer and
/// generation files beside them. Loading checks the whole folder (every shard present and intact, every tensor of the
/// right name, shape and dtype, nothing unexpected) before a weight is read, so it either returns a complete model or
/// throws a <see cref="ModelFolderException"/> naming the file and the tensor or key.
/// </summary>
public static class ModelFolder
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";
    public const string GenerationConfigFile = "generation_config.json";

    /// <summary>Files copied unchanged from the folder a model was loaded from when a trained copy is saved.</summary>
    public static readonly IReadOnlyList<string> CompanionFiles =
        ["tokenizer.json", "tokenizer_config.json", GenerationConfigFile, "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model"];

    /// <summary>Shards are cut at this size unless the caller says otherwise (Hugging Face's default is 5 GB).</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    /// <summary>Whether <paramref name="folder"/> looks like a Hugging Face model folder (it has a config.json).</summary>
    public static bool IsModelFolder(string folder) => File.Exists(Path.Combine(folder, ConfigFile));

    /// <summary>
    /// Reads the config and checks every weight tensor's presence, shape and dtype without reading the weights:
    /// what <c>validate</c> runs, and the first half of <see cref="Load"/>.
    /// </summary>
    /// <returns>The config and, per parameter of the transformer, the HF tensors to stack into it.</returns>
    /// <exception cref="ModelFolderException">Anything is missing, malformed, unsupported or of the wrong shape or dtype.</exception>
    public static (HfModelConfig Config, IReadOnlyList<(string Parameter, IReadOnlyList<SafeTensorEntry> Parts)> Plan) Inspect(string folder, int? contextLength = null)
    {
        if (!Directory.Exists(folder))
        {
            throw new ModelFolderException(folder, "the model folder does not exist");
        }

        HfModelConfig config = HfModelConfig.Read(Path.Combine(folder, ConfigFile), contextLength);
        Dictionary<string, SafeTensorEntry> entries = WeightEntries(folder);
        var plan = new List<(string, IReadOnlyList<SafeTensorEntry>)>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (HfTensorLayout.Parameter parameter in HfTensorLayout.For(config.Model))
        {
            var parts = new List<SafeTensorEntry>();
            foreach (HfTensorLayout.Part part in parameter.Parts)
            {
                if (!entries.TryGetValue(part.Name, out SafeTensorEntry? entry))
                {
                    throw new ModelFolderException(folder, $"tensor {part.Name} is missing: a {config.Family} model of this config.json needs it");
                }

                if (!entry.Shape.SequenceEqual(part.Shape))
                {
                    throw new ModelFolderException(entry.File,
                        $"tensor {part.Name} has shape [{string.Join(", ", entry.Shape)}], but config.json implies [{string.Join(", ", part.Shape)}]");
                }

                if (!SafeTensors.WeightDtypes.ContainsKey(entry.Dtype))
                {
                    throw new ModelFolderException(entry.File, $"tensor {part.Name} is {entry.Dtype}; weights must be F32, BF16 or F16");
                }

                used.Add(part.Name);
                parts.Add(entry);
            }

            plan.Add((parameter.Name, parts));
        }

        if (entries.Values.FirstOrDefault(e => !used.Contains(e.Name) && !HfTensorLayout.IsIgnorable(e.Name, config.Model)) is { } extra)
        {
            throw new ModelFolderException(extra.File,
                $"tensor {extra.Name} is not part of a {config.Family} model of this config.json (is config.json from another model?)");
        }

        return (config, plan);
    }

    /// <summary>Loads the folder's model in float32 on the CPU (the policy host moves it to its device and precision).</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="contextLength">The longest sequence the run needs (see <see cref="HfModelConfig.Read"/>).</param>
    /// <exception cref="ModelFolderException">As <see cref="Inspect"/>; nothing is returned half loaded.</exception>
    public static LoadedModelFolder Load(string folder, int? contextLength = null)
    {
        (HfModelConfig config, var plan) = Inspect(folder, contextLength);
        Transformer model = Transformer.ForLoading(config.Model);
        var handles = new Dictionary<string, SafeFileHandle>(StringComparer.Ordinal);
        try
        {
            Dictionary<string, Tensor> state = model.state_dict();
            using var noGrad = no_grad();
            foreach ((string name, IReadOnlyList<SafeTensorEntry> parts) in plan)
            {
                Tensor target = state[name];
                long row = 0;
                foreach (SafeTensorEntry part in parts)
                {
                    using var scope = NewDisposeScope();
                    if (!handles.TryGetValue(part.File, out SafeFileHandle? handle))
                    {
                        handle = File.OpenHandle(part.File, FileMode.Open, FileAccess.Read, FileShare.Read);
                        handles[part.File] = handle;
                    }

                    target.narrow(0, row, part.Shape[0]).copy_(SafeTensors.Read(handle, part));
                    row += part.Shape[0];
                }
            }

            return new LoadedModelFolder(Path.GetFullPath(folder), config, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (SafeFileHandle handle in handles.Values)
            {
                handle.Dispose();
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> as a Hugging Face folder the same loader (and transformers) reads: the weights in
    /// <paramref name="dtype"/> (float32 or bfloat16), sharded past <paramref name="maxShardBytes"/>; <c>config.json</c>
    /// written from <paramref name="config"/> when given, else copied from <paramref name="sourceFolder"/> with its
    /// torch_dtype updated, else written from the model's shape; and the tokenizer and generation files copied from
    /// <paramref name="sourceFolder"/>.
    /// </summary>
    public static void Save(string folder, Transformer model, string? sourceFolder = null, ScalarType dtype = ScalarType.Float32, long maxShardBytes = DefaultMaxShardBytes, HfModelConfig? config = null)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
        {
            throw new ArgumentException($"weights are saved as float32, bfloat16 or float16, not {dtype}", nameof(dtype));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        Directory.CreateDirectory(folder);
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> state = model.state_dict();
        var tensors = new List<(string Name, Tensor Tensor)>();
        foreach (HfTensorLayout.Parameter parameter in HfTensorLayout.For(model.Config))
        {
            Tensor whole = state[parameter.Name].detach().to(dtype).cpu();
            long row = 0;
            foreach (HfTensorLayout.Part part in parameter.Parts)
            {
                tensors.Add((part.Name, whole.narrow(0, row, part.Shape[0]).contiguous()));
                row += part.Shape[0];
            }
        }

        WriteWeights(folder, tensors, maxShardBytes);
        string dtypeName = dtype switch { ScalarType.BFloat16 => "bfloat16", ScalarType.Float16 => "float16", _ => "float32" };
        JsonObject json = config is null && sourceFolder is not null && File.Exists(Path.Combine(sourceFolder, ConfigFile))
            ? JsonNode.Parse(File.ReadAllText(Path.Combine(sourceFolder, ConfigFile))) as JsonObject
              ?? throw new ModelFolderException(Path.Combine(sourceFolder, ConfigFile), "must hold a JSON object")
            : HfConfigWriter.Write(config ?? HfConfigWriter.Describe(model.Config));
        json["torch_dtype"] = dtypeName;
        Core.Storage.AtomicFile.WriteAllText(Path.Combine(folder, ConfigFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        if (sourceFolder is not null && Path.GetFullPath(sourceFolder) != Path.GetFullPath(folder))
        {
            foreach (string file in CompanionFiles.Where(f => File.Exists(Path.Combine(sourceFolder, f))))
            {
                File.Copy(Path.Combine(sourceFolder, file), Path.Combine(folder, file), overwrite: true);
            }
        }
    }

    private static void WriteWeights(string folder, List<(string Name, Tensor Tensor)> tensors, long maxShardBytes)
    {
        var shards = new List<List<(string Name, Tensor Tensor)>> { new() };
        long inShard = 0, total = 0;
        foreach ((string name, Tensor tensor) in tensors)
        {
            long bytes = tensor.numel() * tensor.element_size();
            if (inShard > 0 && inShard + bytes > maxShardBytes)
            {
                shards.Add(new());
                inShard = 0;
            }

            shards[^1].Add((name, tensor));
            inShard += bytes;
            total += bytes;
        }

        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        File.Delete(Path.Combine(folder, shards.Count == 1 ? IndexFile : WeightsFile));
        if (shards.Count == 1)
        {
            SafeTensors.Write(Path.Combine(folder, WeightsFile), shards[0], metadata);
            return;
        }

        var map = new JsonObject();
        for (int i = 0; i < shards.Count; i++)
        {
            string file = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafeTensors.Write(Path.Combine(folder, file), shards[i], metadata);
            foreach ((string name, _) in shards[i])
            {
                map[name] = file;
            }
        }

        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = map };
        Core.Storage.AtomicFile.WriteAllText(Path.Combine(folder, IndexFile), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Every tensor of the folder's weights by name, from the single file or every shard of the index.</summary>
    private static Dictionary<string, SafeTensorEntry> WeightEntries(string folder)
    {
        string index = Path.Combine(folder, IndexFile), single = Path.Combine(folder, WeightsFile);
        var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        if (!File.Exists(index))
        {
            if (!File.Exists(single))
            {
                throw new ModelFolderException(folder, $"has no weights: neither {WeightsFile} nor {IndexFile} (only safetensors are read, not PyTorch .bin files)");
            }

            foreach (SafeTensorEntry entry in SafeTensors.ReadHeader(single))
            {
                entries[entry.Name] = entry;
            }

            return entries;
        }

        Dictionary<string, string> map = ReadIndex(index);
        foreach (IGrouping<string, KeyValuePair<string, string>> shard in map.GroupBy(p => p.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string file = Path.Combine(folder, shard.Key);
            if (!File.Exists(file))
            {
                throw new ModelFolderException(file, $"is missing: {IndexFile} puts {shard.Count()} tensors in it (e.g. {shard.First().Key})");
            }

            var inShard = SafeTensors.ReadHeader(file).ToDictionary(e => e.Name, StringComparer.Ordinal);
            foreach ((string name, _) in shard)
            {
                entries[name] = inShard.TryGetValue(name, out SafeTensorEntry? entry)
                    ? entry
                    : throw new ModelFolderException(file, $"does not hold tensor {name}, which {IndexFile} puts in it");
            }
        }

        return entries;
    }

    private static Dictionary<string, string> ReadIndex(string path)
    {
        try
        {
            JsonNode? root = JsonNode.Parse(File.ReadAllText(path));
            if (root?["weight_map"] is not JsonObject map)
            {
                throw new ModelFolderException(path, "key 'weight_map' is required: an object from tensor name to shard file");
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach ((string name, JsonNode? file) in map)
            {
                string shard = file is JsonValue v && v.TryGetValue(out string? s) && s.Length > 0 && Path.GetFileName(s) == s
                    ? s
                    : throw new ModelFolderException(path, $"key 'weight_map.{name}' must name a shard file in the folder");
                result[name] = shard;
            }

            return result;
        }
        catch (JsonException e)
        {
            throw new ModelFolderException(path, $"is not valid JSON: {e.Message}");
        }
    }
}
