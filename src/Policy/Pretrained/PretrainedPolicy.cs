using System.Security.Cryptography;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Policy.Pretrained;

/// <summary>A pretrained model and its tokenizer, as a base policy: what a spec's <c>policy.checkpoint</c> loads.</summary>
/// <param name="Folder">The model folder.</param>
/// <param name="Config">What its config.json says.</param>
/// <param name="Model">The weights, in float32 on the CPU (the policy host moves them).</param>
/// <param name="Tokenizer">Its tokenizer with the prompt format and the task's step separator.</param>
public sealed record PretrainedPolicy(string Folder, HfModelConfig Config, Transformer Model, PretrainedTokenizer Tokenizer) : IDisposable
{
    /// <summary>
    /// Checks a folder without reading its weights: config.json, every tensor's name, shape and dtype, the tokenizer
    /// files, and that the tokenizer's ids fit the model's embedding and name an end-of-sequence token.
    /// </summary>
    /// <exception cref="ModelFolderException">The folder or its weights are wrong, or the vocabularies do not fit.</exception>
    /// <exception cref="HfTokenizerException">The tokenizer files are missing, malformed or unsupported.</exception>
    public static HfModelConfig Check(string folder, int? contextLength = null)
    {
        (HfModelConfig config, _) = ModelFolder.Inspect(folder, contextLength);
        HfTokenizer tokenizer = HfTokenizer.Load(folder);
        RequireFit(folder, config, tokenizer);
        return config;
    }

    /// <summary>Loads the model and its tokenizer, after the checks of <see cref="Check"/>.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="prompt">How questions become prompts.</param>
    /// <param name="stepSeparator">What ends a step in the task's solution format.</param>
    /// <param name="contextLength">The longest sequence the run uses; null for the loader's default.</param>
    public static PretrainedPolicy Load(string folder, PromptFormat prompt, string stepSeparator, int? contextLength = null)
    {
        HfTokenizer hf = HfTokenizer.Load(folder);
        HfModelConfig config = HfModelConfig.Read(Path.Combine(folder, ModelFolder.ConfigFile), contextLength);
        RequireFit(folder, config, hf);
        var tokenizer = new PretrainedTokenizer(hf, prompt, stepSeparator, Path.GetFullPath(folder));
        LoadedModelFolder loaded = ModelFolder.Load(folder, contextLength);
        return new PretrainedPolicy(loaded.Folder, loaded.Config, loaded.Model, tokenizer);
    }

    /// <summary>
    /// SHA-256 of everything in the folder that decides what the model computes and reads: config.json, the weights
    /// (every safetensors file and the index) and the tokenizer files, in name order. A run's identity includes it, so
    /// another model in the same folder is another run.
    /// </summary>
    public static string Identity(string folder)
    {
        var files = Directory.GetFiles(folder)
            .Where(f => Path.GetFileName(f) is var name && (name.EndsWith(".safetensors", StringComparison.Ordinal) || name == ModelFolder.IndexFile
                || name == ModelFolder.ConfigFile || ModelFolder.CompanionFiles.Contains(name)))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (string file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\0"));
            using var stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void RequireFit(string folder, HfModelConfig config, HfTokenizer tokenizer)
    {
        if (tokenizer.VocabularySize > config.Model.VocabularySize)
        {
            throw new ModelFolderException(Path.Combine(folder, "tokenizer.json"),
                $"has ids up to {tokenizer.VocabularySize - 1}, but config.json's vocab_size is {config.Model.VocabularySize}: the tokenizer is not this model's");
        }

        if (tokenizer.EndId is null)
        {
            throw new ModelFolderException(folder,
                "names no end-of-sequence token (tokenizer_config.json eos_token or generation_config.json eos_token_id), so a generated answer could never end");
        }
    }

    public void Dispose() => Model.Dispose();
}
