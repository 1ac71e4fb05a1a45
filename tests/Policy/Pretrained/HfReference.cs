using System.Text.Json;
using System.Text.Json.Serialization;
using Reasoning.Tests.Experiments;

namespace Reasoning.Tests.Policy.Pretrained;

/// <summary>
/// What the independent PyTorch implementation (<c>bench/hf_reference/reference.py</c>, written from transformers'
/// modeling code) computed for one committed tiny checkpoint under <c>tests/fixtures/hf/&lt;case&gt;/</c>.
/// </summary>
internal sealed record HfReference(
    [property: JsonPropertyName("case")] string Case,
    [property: JsonPropertyName("prompts")] int[][] Prompts,
    [property: JsonPropertyName("prefill_lengths")] int[] PrefillLengths,
    [property: JsonPropertyName("logits")] float[][][] Logits,
    [property: JsonPropertyName("cached_logits")] float[][][] CachedLogits,
    [property: JsonPropertyName("greedy")] int[][] Greedy)
{
    /// <summary>The four committed cases: Llama 2, Llama 3 (llama3 rotary scaling, sharded, BF16), Qwen2 (q/k/v bias, F16), Qwen3 (q/k norm, head_dim 16, BF16).</summary>
    public static readonly TheoryData<string> Cases = new() { "llama2", "llama3", "qwen2", "qwen3" };

    public static string Folder(string name) => Path.Combine(TestRepository.Root, "tests", "fixtures", "hf", name);

    public static HfReference Load(string name) =>
        JsonSerializer.Deserialize<HfReference>(File.ReadAllBytes(Path.Combine(Folder(name), "reference.json")))
        ?? throw new InvalidOperationException($"tests/fixtures/hf/{name}/reference.json is empty");
}
