using System.Text.Json;
using Microsoft.Extensions.Logging;
using Reasoning.Core.Accounting;
using Reasoning.Core.Diagnostics;
using Reasoning.Core.Storage;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;
using Reasoning.Policy.Training;
using Reasoning.ProcessReward.Model;
using Reasoning.ProcessReward.Training;
using TorchSharp;

namespace Reasoning.Search.Mcts.Strategies;

/// <summary>What is kept beside a cached reward model: its key, what training it cost, and how it did.</summary>
internal sealed record RewardModelRecord(
    string Key, RewardModelKind Kind, PhaseUsage Cost, RewardModelMetrics HeldOut, IReadOnlyList<LossPoint> LossCurve,
    RewardHead Head = RewardHead.Scalar, double Beta = 1.0);

/// <summary>
/// Trained reward models on disk, one per key (a SHA-256 of everything that determines them): the weights in
/// TorchSharp's format and a JSON record beside them, both written atomically (<see cref="AtomicFile"/>). A file that
/// is missing, damaged, made for another key or not committed (<see cref="ModelCache"/>: the record file is the
/// entry) is never trusted: the caller trains again.
/// </summary>
internal sealed class RewardModelStore(ModelCache cache, ILogger logger)
{
    private readonly string folder = Path.Combine(cache.Folder, "reward-models");

    /// <summary>Metrics can be NaN (an AUC with one class only), which plain JSON cannot hold.</summary>
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private string WeightsPath(string key) => Path.Combine(folder, $"reward-{key[..16]}.bin");

    /// <summary>A reward model on a pretrained backbone is kept as a Hugging Face model folder (<see cref="RewardModel.SaveFolder"/>).</summary>
    private string FolderPath(string key) => Path.Combine(folder, $"reward-{key[..16]}");

    private string RecordPath(string key) => Path.Combine(folder, $"reward-{key[..16]}.json");

    /// <param name="key">The settings' key.</param>
    /// <param name="basePolicy">The policy the model was trained from: its shape, and the frozen reference of an implicit head.</param>
    /// <param name="tokenizer">The policy's tokenizer.</param>
    /// <param name="device">Where the model goes.</param>
    public (RewardModel Model, RewardModelRecord Record)? TryLoad(string key, Transformer basePolicy, ITokenizer tokenizer, torch.Device device)
    {
        bool pretrained = tokenizer is PretrainedTokenizer;
        string weights = pretrained ? FolderPath(key) : WeightsPath(key);
        if (!(pretrained ? Directory.Exists(weights) : File.Exists(weights)) || !cache.IsVisible(RecordPath(key)))
        {
            return null;
        }

        RewardModel? model = null;
        try
        {
            RewardModelRecord? record = JsonSerializer.Deserialize<RewardModelRecord>(File.ReadAllText(RecordPath(key)), Json);
            if (record is null || record.Key != key)
            {
                logger.LogWarning("the cached reward model {Path} was made with other settings; training it again", RecordPath(key));
                return null;
            }

            model = RewardModel.Fresh(basePolicy.Config, tokenizer, record.Kind, seed: 0, device, record.Head, basePolicy, record.Beta);
            if (pretrained)
            {
                model.LoadFolder(weights);
            }
            else
            {
                model.load(weights);
            }

            logger.LogInformation("reusing the reward model {Path}", weights);
            return (model, record);
        }
        catch (Exception e) when (e is IOException or JsonException or ArgumentException or InvalidOperationException or NotSupportedException or ModelFolderException)
        {
            model?.Dispose();
            logger.LogWarning("the cached reward model {Path} is unusable ({Message}); training it again", weights, e.Message);
            return null;
        }
    }

    /// <summary>Saves the weights, then the record (written last, so a save cut short leaves no record and is trained again).</summary>
    public void Save(RewardModel model, RewardModelRecord record)
    {
        Directory.CreateDirectory(folder);
        cache.BeginWrite(RecordPath(record.Key));
        File.Delete(RecordPath(record.Key));
        if (model.Tokenizer is PretrainedTokenizer pretrained)
        {
            model.SaveFolder(FolderPath(record.Key), pretrained.SourceFolder);
        }
        else
        {
            AtomicFile.Replace(WeightsPath(record.Key), temporary => model.save(temporary));
        }

        AtomicFile.WriteAllText(RecordPath(record.Key), JsonSerializer.Serialize(record, Json));
        FaultPoint.Reached(FaultPoint.AfterRewardModelSave);
    }
}
