using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Reasoning.Core.Accounting;
using Reasoning.Core.Diagnostics;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Storage;
using Reasoning.Policy.Checkpoints;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Policy.Training;

/// <summary>Everything that determines a fine-tuned base policy's weights.</summary>
/// <param name="Task">The task name.</param>
/// <param name="Config">The model shape.</param>
/// <param name="FineTuning">The fine-tuning settings (seed included).</param>
/// <param name="ModelSeed">The seed of the initial weights.</param>
/// <param name="TokenizerCharacters">The tokenizer's characters.</param>
/// <param name="TrainingData">A digest of the reference solutions trained on (see <see cref="DigestOf"/>).</param>
public sealed record BasePolicyKey(string Task, TransformerConfig Config, FineTuningOptions FineTuning, long ModelSeed, string TokenizerCharacters, string TrainingData)
{
    /// <summary>Bump when training code changes in a way that changes the weights a key produces.</summary>
    public const int RecipeVersion = 1;

    /// <summary>Hex SHA-256 of the key's canonical JSON and the recipe version.</summary>
    public string Hash() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"v{RecipeVersion}|" + JsonSerializer.Serialize(this))));

    /// <summary>SHA-256 over every problem's reference solution text, in order.</summary>
    public static string DigestOf(IEnumerable<Problem> problems)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (Problem problem in problems)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(SolutionText.Render(problem.Prompt, problem.ReferenceSteps, problem.Answer) + "\0"));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

/// <summary>A fine-tuned base policy, and whether it came from the cache.</summary>
public sealed record BasePolicy(Transformer Model, ITokenizer Tokenizer, IReadOnlyList<LossPoint> LossCurve, bool Reused, string Path);

/// <summary>
/// Fine-tuned base policies on disk, one checkpoint per <see cref="BasePolicyKey.Hash()"/>, so a
/// second run with the same task, policy and training settings reuses the first run's model.
/// The loss curve travels in the checkpoint's metadata. A cached file that is damaged, does
/// not match, or was not committed (<see cref="ModelCache"/>) is replaced, never trusted.
/// </summary>
public sealed class BasePolicyCache(ModelCache cache, ILogger logger)
{
    private readonly string folder = cache.Folder;

    private const string CurveKey = "loss_curve";
    private const string KeyKey = "base_policy_key";

    public string PathFor(BasePolicyKey key) => System.IO.Path.Combine(folder, $"base-{key.Hash()[..16]}.ckpt");

    /// <summary>Loads the cached policy for the key, or fine-tunes a fresh one on <paramref name="problems"/> and caches it.</summary>
    /// <param name="snapshots">Resumable snapshots of the fine-tuning (see <see cref="SupervisedFineTuning.Train"/>); null for none.</param>
    public BasePolicy GetOrTrain(
        BasePolicyKey key, IReadOnlyList<Problem> problems, IUsageMeter meter, Action<LossPoint>? progress = null, CancellationToken cancellation = default,
        TrainingSnapshots? snapshots = null)
    {
        string path = PathFor(key);
        string keyJson = JsonSerializer.Serialize(key);
        if (cache.IsVisible(path))
        {
            try
            {
                LoadedCheckpoint loaded = Checkpoint.Load(path, key.Config);
                if (loaded.Metadata.TryGetValue(KeyKey, out string? stored) && stored == keyJson && loaded.Tokenizer.Characters == key.TokenizerCharacters)
                {
                    logger.LogInformation("reusing the fine-tuned base policy {Path}", path);
                    var curve = JsonSerializer.Deserialize<List<LossPoint>>(loaded.Metadata.GetValueOrDefault(CurveKey, "[]")) ?? [];
                    return new BasePolicy(loaded.Model, loaded.Tokenizer, curve, Reused: true, path);
                }

                loaded.Dispose();
                logger.LogWarning("the cached base policy {Path} was made with other settings; training it again", path);
            }
            catch (CheckpointException e)
            {
                logger.LogWarning("the cached base policy {Path} is unusable ({Kind}: {Message}); training it again", path, e.Kind, e.Message);
            }
        }

        var tokenizer = new CharTokenizer(key.TokenizerCharacters);
        var model = new Transformer(key.Config, key.ModelSeed);
        IReadOnlyList<LossPoint> lossCurve = SupervisedFineTuning.Train(model, tokenizer, problems, key.FineTuning, meter, progress, cancellation, snapshots: snapshots);
        Directory.CreateDirectory(folder);
        cache.BeginWrite(path);
        Checkpoint.Save(path, model, tokenizer, new Dictionary<string, string>
        {
            [KeyKey] = keyJson,
            [CurveKey] = JsonSerializer.Serialize(lossCurve),
            ["created_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        });
        FaultPoint.Reached(FaultPoint.AfterBaseCheckpoint);
        logger.LogInformation("cached the fine-tuned base policy as {Path}", path);
        return new BasePolicy(model, tokenizer, lossCurve, Reused: false, path);
    }
}
