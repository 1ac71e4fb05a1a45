using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Storage;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Policy.Training;

/// <summary>Everything that determines a pretrained base policy fine-tuned on a task's reference solutions.</summary>
/// <param name="Checkpoint">The model folder's identity (<see cref="PretrainedPolicy.Identity"/>).</param>
/// <param name="Prompt">The prompt format's name and system message.</param>
/// <param name="ContextLength">The context the run uses, or null for the loader's default.</param>
/// <param name="Format">The solution format the references are written in (its name and step separator).</param>
/// <param name="FineTuning">The fine-tuning settings (seed included).</param>
/// <param name="TrainingData">A digest of the reference solutions trained on.</param>
public sealed record PretrainedBaseKey(string Checkpoint, string Prompt, int? ContextLength, string Format, FineTuningOptions FineTuning, string TrainingData)
{
    /// <summary>Bump when training code changes in a way that changes the weights a key produces.</summary>
    public const int RecipeVersion = 1;

    /// <summary>Hex SHA-256 of the key's canonical JSON and the recipe version.</summary>
    public string Hash() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"pretrained-v{RecipeVersion}|" + JsonSerializer.Serialize(this))));
}

/// <summary>
/// Pretrained base policies fine-tuned on a task, cached as Hugging Face model folders (the same loader reads them, and
/// so does transformers), one per <see cref="PretrainedBaseKey.Hash"/>; the key and the loss curve are kept beside the
/// weights in <c>reasoning-base.json</c>, written last, so a folder without it (a save cut short) is trained again.
/// </summary>
public sealed class PretrainedBaseCache(ModelCache cache, ILogger logger)
{
    private readonly string folder = cache.Folder;

    private const string RecordFile = "reasoning-base.json";

    public string PathFor(PretrainedBaseKey key) => Path.Combine(folder, $"base-{key.Hash()[..16]}");

    /// <summary>Loads the cached model for the key, or loads <paramref name="source"/>, fine-tunes it on <paramref name="problems"/> and caches it.</summary>
    /// <param name="key">What determines the result.</param>
    /// <param name="source">The pretrained model folder.</param>
    /// <param name="prompt">How questions become prompts.</param>
    /// <param name="format">How the task's solutions are written.</param>
    /// <param name="problems">The train problems, with their reference solutions.</param>
    /// <param name="meter">Charged with the fine-tuning.</param>
    /// <param name="progress">Told of every step.</param>
    /// <param name="cancellation">Stops the fine-tuning.</param>
    /// <param name="snapshots">Resumable snapshots of the fine-tuning (see <see cref="SupervisedFineTuning.Train"/>); null for none.</param>
    public BasePolicy GetOrTrain(
        PretrainedBaseKey key, string source, PromptFormat prompt, ISolutionFormat format, IReadOnlyList<Problem> problems, IUsageMeter meter,
        Action<LossPoint>? progress = null, CancellationToken cancellation = default, TrainingSnapshots? snapshots = null)
    {
        string path = PathFor(key);
        string keyJson = JsonSerializer.Serialize(key);
        string record = Path.Combine(path, RecordFile);
        if (cache.IsVisible(path) && File.Exists(record))
        {
            try
            {
                var stored = JsonSerializer.Deserialize<CachedRecord>(File.ReadAllText(record));
                if (stored?.Key == keyJson)
                {
                    PretrainedPolicy cached = Load(path, source, prompt, format, key.ContextLength);
                    logger.LogInformation("reusing the fine-tuned base policy {Path}", path);
                    return new BasePolicy(cached.Model, cached.Tokenizer, stored.LossCurve, Reused: true, path);
                }

                logger.LogWarning("the cached base policy {Path} was made with other settings; training it again", path);
            }
            catch (Exception e) when (e is JsonException or IOException or ModelFolderException or HfTokenizerException)
            {
                logger.LogWarning("the cached base policy {Path} is unusable ({Message}); training it again", path, e.Message);
            }
        }

        PretrainedPolicy policy = PretrainedPolicy.Load(source, prompt, format.StepSeparator, key.ContextLength);
        try
        {
            IReadOnlyList<LossPoint> curve = SupervisedFineTuning.Train(policy.Model, policy.Tokenizer, problems, key.FineTuning, meter, progress, cancellation, format, snapshots);
            cache.BeginWrite(path);
            if (Directory.Exists(path))
            {
                File.Delete(record);
            }

            ModelFolder.Save(path, policy.Model, source);
            AtomicFile.WriteAllText(record, JsonSerializer.Serialize(new CachedRecord(keyJson, curve.ToList())));
            logger.LogInformation("cached the fine-tuned base policy as {Path}", path);
            return new BasePolicy(policy.Model, policy.Tokenizer, curve, Reused: false, path);
        }
        catch
        {
            policy.Dispose();
            throw;
        }
    }

    /// <summary>The cached weights with the source folder's tokenizer (copied beside them too).</summary>
    private static PretrainedPolicy Load(string path, string source, PromptFormat prompt, ISolutionFormat format, int? contextLength)
    {
        PretrainedPolicy loaded = PretrainedPolicy.Load(path, prompt, format.StepSeparator, contextLength);
        return loaded with { Tokenizer = new PretrainedTokenizer(loaded.Tokenizer.Hf, prompt, format.StepSeparator, Path.GetFullPath(source)) };
    }

    private sealed record CachedRecord(string Key, List<LossPoint> LossCurve);
}
