using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy.Pretrained;

/// <summary>Saving and loading Hugging Face folders, and every way a folder can be wrong.</summary>
[Collection(LeakChecks.Name)]
public sealed class ModelFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("model-folder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Tiny shapes of each family (as the fixtures' reference script builds them).</summary>
    public static readonly TheoryData<string> Families = new() { "llama", "llama3", "qwen2", "qwen3" };

    private static TransformerConfig Shape(string family) => family switch
    {
        "llama" => new(96, 32, 2, 4, 4, 64, MaxSequenceLength: 128, TiedEmbeddings: false),
        "llama3" => new(96, 32, 2, 4, 2, 64, MaxSequenceLength: 128, RopeTheta: 500_000, RopeScaling: new RopeScaling("llama3", 8, 1, 4, 256)),
        "qwen2" => new(96, 32, 2, 4, 2, 64, MaxSequenceLength: 128, RopeTheta: 1e6, NormEpsilon: 1e-6, AttentionBias: true),
        _ => new(96, 32, 2, 4, 2, 64, MaxSequenceLength: 128, RopeTheta: 1e6, NormEpsilon: 1e-6, QueryKeyNorm: true, ExplicitHeadDimension: 16),
    };

    /// <summary>A model whose every parameter, norms and biases included, is random, so a mapping that swaps two of them shows.</summary>
    private static Transformer RandomModel(TransformerConfig config, long seed)
    {
        var model = new Transformer(config, seed);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator((ulong)seed + 100);
        foreach (TorchSharp.Modules.Parameter p in model.parameters())
        {
            p.add_(randn(p.shape, generator: generator) * 0.1);
        }

        model.eval();
        return model;
    }

    private static float[] Logits(Transformer model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor ids = tensor(new long[] { 5, 17, 3, 90, 44, 2, 61 }, new long[] { 1, 7 });
        return model.Forward(ids, arange(7, dtype: int64).view(1, 7)).data<float>().ToArray();
    }

    private string Save(string family, long maxShardBytes = ModelFolder.DefaultMaxShardBytes, ScalarType dtype = ScalarType.Float32)
    {
        string folder = Path.Combine(_root, family + "-" + maxShardBytes + "-" + dtype);
        using Transformer model = RandomModel(Shape(family), seed: 7);
        ModelFolder.Save(folder, model, dtype: dtype, maxShardBytes: maxShardBytes);
        return folder;
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void ASavedFolderLoadsBackToTheSameLogits(string family)
    {
        using Transformer model = RandomModel(Shape(family), seed: 7);
        string folder = Path.Combine(_root, family);
        ModelFolder.Save(folder, model);
        using LoadedModelFolder loaded = ModelFolder.Load(folder);
        loaded.Model.eval();
        Assert.Equal(model.Config, loaded.Model.Config);
        Assert.Equal(Logits(model), Logits(loaded.Model));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void AShardedFolderLoadsLikeASingleFile(string family)
    {
        string single = Save(family);
        string sharded = Save(family, maxShardBytes: 20_000);
        string[] shards = Directory.GetFiles(sharded, "model-*-of-*.safetensors");
        Assert.True(shards.Length > 2, $"{shards.Length} shards");
        Assert.False(File.Exists(Path.Combine(sharded, ModelFolder.WeightsFile)));
        JsonNode index = JsonNode.Parse(File.ReadAllText(Path.Combine(sharded, ModelFolder.IndexFile)))!;
        Assert.Equal(shards.Select(Path.GetFileName).Order(), index["weight_map"]!.AsObject().Select(p => (string)p.Value!).Distinct().Order());
        using LoadedModelFolder a = ModelFolder.Load(single), b = ModelFolder.Load(sharded);
        Assert.Equal(Logits(a.Model), Logits(b.Model));
    }

    [Fact]
    public void Bf16WeightsLoadAsTheirFloat32Values()
    {
        using Transformer model = RandomModel(Shape("qwen3"), seed: 7);
        string folder = Path.Combine(_root, "bf16");
        ModelFolder.Save(folder, model, dtype: ScalarType.BFloat16);
        Assert.Equal("bfloat16", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!["torch_dtype"]!);
        using LoadedModelFolder loaded = ModelFolder.Load(folder);
        using var scope = NewDisposeScope();
        var expected = model.parameters().Select(p => p.to(ScalarType.BFloat16).to(ScalarType.Float32)).ToList();
        var actual = loaded.Model.parameters().ToList();
        Assert.Equal(ScalarType.Float32, actual[0].dtype);
        Assert.All(expected.Zip(actual), p => Assert.True(p.First.eq(p.Second).all().item<bool>(), "a weight differs from its bf16 rounding"));
    }

    [Theory]
    [MemberData(nameof(HfReference.Cases), MemberType = typeof(HfReference))]
    public void TheParameterCountIsTheSumOfTheCheckpointsTensors(string name)
    {
        // The safetensors were written by the Python reference: an independent count of every element.
        string folder = HfReference.Folder(name);
        var files = Directory.GetFiles(folder, "*.safetensors");
        long elements = files.SelectMany(SafeTensors.ReadHeader).Sum(e => e.Elements);
        Assert.Equal(elements, HfModelConfig.Read(Path.Combine(folder, "config.json")).Model.ParameterCount);
    }

    [Fact]
    public void TheFixturesConfigsReadAsTheirFamilies()
    {
        HfModelConfig qwen3 = HfModelConfig.Read(Path.Combine(HfReference.Folder("qwen3"), "config.json"));
        Assert.Equal(ModelFamily.Qwen3, qwen3.Family);
        Assert.Equal(16, qwen3.Model.HeadDimension);
        Assert.True(qwen3.Model.QueryKeyNorm);
        Assert.Equal(1e6, qwen3.Model.RopeTheta);
        HfModelConfig llama3 = HfModelConfig.Read(Path.Combine(HfReference.Folder("llama3"), "config.json"));
        Assert.Equal(new RopeScaling("llama3", 8, 1, 4, 8192), llama3.Model.RopeScaling);
        Assert.Equal(128, llama3.Model.MaxSequenceLength);
        Assert.Equal(90, llama3.BeginId);
        Assert.Equal([91], llama3.EndIds);
        HfModelConfig qwen2 = HfModelConfig.Read(Path.Combine(HfReference.Folder("qwen2"), "config.json"), contextLength: 64);
        Assert.True(qwen2.Model.AttentionBias);
        Assert.Equal(64, qwen2.Model.MaxSequenceLength);
        Assert.Equal(128, qwen2.MaxPositionEmbeddings);
        Assert.False(HfModelConfig.Read(Path.Combine(HfReference.Folder("llama2"), "config.json")).Model.TiedEmbeddings);
    }

    [Fact]
    public void FlopsOfAQwen3ShapeCountItsHeadSizeNotHiddenOverHeads()
    {
        TransformerConfig qwen3 = HfModelConfig.Read(Path.Combine(HfReference.Folder("qwen3"), "config.json")).Model;
        // Matmul parameters per layer: q 32·64 + k 32·32 + v 32·32 + o 64·32 + MLP 3·32·64 = 12,288; two layers and the
        // output projection 96·32: 27,648. Ten tokens attending 55 positions in all: 2·27,648·10 + 4·2 layers·4 heads·16·55.
        Assert.Equal(27_648, qwen3.MatmulParameters);
        Assert.Equal(552_960.0 + 28_160.0, qwen3.ForwardFlops(10, 55));
    }

    [Fact]
    public void Llama3ScalingKeepsDividesAndSmoothsFrequenciesByWavelength()
    {
        // Head size 8, theta 500000: frequencies 1, 0.0376060309, 0.00141421356, 5.3182959e-5; wavelengths 2π/f are
        // 6.28, 167.1, 4443 and 118143. With original length 256 (factors 1 and 4): under 64 kept, over 256 divided by 8,
        // and 167.1 smoothed, s = (256/167.08 - 1)/3 = 0.177398, (1 - s)·f/8 + s·f.
        double[] scaled = new RopeScaling("llama3", 8, 1, 4, 256).Apply([1.0, 0.03760603093086393, 0.001414213562373095, 5.318295896944988e-05]);
        Assert.Equal(1.0, scaled[0], 12);
        Assert.Equal(0.010538232746455323, scaled[1], 12);
        Assert.Equal(0.00017677669529663688, scaled[2], 12);
        Assert.Equal(6.647869871181235e-06, scaled[3], 12);
    }

    [Fact]
    public void AMissingShardIsNamed()
    {
        string folder = Save("qwen2", maxShardBytes: 20_000);
        string second = Directory.GetFiles(folder, "model-00002-of-*.safetensors").Single();
        File.Delete(second);
        var error = Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder));
        Assert.Contains(second + ": is missing", error.Message);
        Assert.Contains("model.safetensors.index.json puts", error.Message);
    }

    [Fact]
    public void ATruncatedFileIsNamedWithTheTensorItCuts()
    {
        string folder = Save("llama");
        string file = Path.Combine(folder, ModelFolder.WeightsFile);
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(stream.Length - 100);
        }

        var error = Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder));
        Assert.Contains("model.safetensors: is truncated: tensor lm_head.weight ends at byte", error.Message);
    }

    [Fact]
    public void ATensorOfTheWrongShapeIsNamedWithBothShapes()
    {
        string folder = Save("llama");
        EditConfig(folder, c => c["intermediate_size"] = 48);
        var error = Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder));
        Assert.Contains("tensor model.layers.0.mlp.gate_proj.weight has shape [64, 32], but config.json implies [48, 32]", error.Message);
    }

    [Fact]
    public void ATensorOfAnotherModelIsRefused()
    {
        string folder = Save("qwen2");
        EditConfig(folder, c => c["architectures"] = new JsonArray("LlamaForCausalLM"));
        var error = Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder));
        Assert.Contains("tensor model.layers.0.self_attn.q_proj.bias is not part of a Llama model", error.Message);
    }

    [Fact]
    public void AWeightOfAnIntegerDtypeIsRefused()
    {
        // A hand-made safetensors file: header length, header JSON, bytes, laid out by the format's specification.
        string folder = Path.Combine(_root, "int");
        Directory.CreateDirectory(folder);
        var config = Shape("llama") with { Layers = 1 };
        using (Transformer model = RandomModel(config, 1))
        {
            ModelFolder.Save(folder, model);
        }

        string file = Path.Combine(folder, ModelFolder.WeightsFile);
        var entries = SafeTensors.ReadHeader(file);
        var header = new JsonObject();
        long offset = 0;
        foreach (SafeTensorEntry e in entries)
        {
            string dtype = e.Name == "model.norm.weight" ? "I32" : e.Dtype;
            header[e.Name] = new JsonObject { ["dtype"] = dtype, ["shape"] = new JsonArray(e.Shape.Select(d => (JsonNode?)d).ToArray()), ["data_offsets"] = new JsonArray(offset, offset + e.Length) };
            offset += e.Length;
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var bytes = new byte[8 + json.Length + offset];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(file, bytes);
        var error = Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder));
        Assert.Contains("tensor model.norm.weight is I32; weights must be F32, BF16 or F16", error.Message);
    }

    [Theory]
    [InlineData("architectures", "[\"GPT2LMHeadModel\"]", "key 'architectures': 'GPT2LMHeadModel' is not supported; supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM")]
    [InlineData("rope_scaling", "{\"rope_type\": \"yarn\", \"factor\": 4.0}", "key 'rope_scaling' type 'yarn' is not supported; supported: default, llama3, linear")]
    [InlineData("rope_scaling", "{\"rope_type\": \"llama3\", \"factor\": 8.0}", "key 'rope_scaling.low_freq_factor' is required for rope type 'llama3'")]
    [InlineData("hidden_act", "\"gelu\"", "key 'hidden_act' is 'gelu'; these families use 'silu'")]
    [InlineData("hidden_size", "\"32\"", "key 'hidden_size' must be an integer, not 32")]
    [InlineData("num_key_value_heads", "3", "heads 4 must be a multiple of kv heads 3")]
    [InlineData("attention_bias", "true", "key 'attention_bias' is true")]
    public void AnUnsupportedOrMalformedConfigKeyIsNamed(string key, string value, string message)
    {
        string folder = Save("llama");
        EditConfig(folder, c => c[key] = JsonNode.Parse(value));
        var error = Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder));
        Assert.Contains(Path.Combine(folder, "config.json") + ": ", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void AMissingConfigOrWeightsOrBrokenJsonIsNamed()
    {
        string folder = Save("llama");
        File.Delete(Path.Combine(folder, ModelFolder.WeightsFile));
        Assert.Contains("has no weights: neither model.safetensors nor model.safetensors.index.json", Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder)).Message);
        File.WriteAllText(Path.Combine(folder, "config.json"), "{\"hidden_size\": 32,");
        Assert.Contains("config.json: is not valid JSON", Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder)).Message);
        File.Delete(Path.Combine(folder, "config.json"));
        Assert.Contains("config.json: not found", Assert.Throws<ModelFolderException>(() => ModelFolder.Load(folder)).Message);
        Assert.Contains("the model folder does not exist", Assert.Throws<ModelFolderException>(() => ModelFolder.Load(Path.Combine(_root, "nowhere"))).Message);
    }

    private static void EditConfig(string folder, Action<JsonObject> edit)
    {
        string path = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
