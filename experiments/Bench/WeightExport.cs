using System.Runtime.InteropServices;
using System.Text.Json;
using Reasoning.Policy.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// Writes a model's parameters where the Python peer can read them without extra packages:
/// <c>weights.bin</c>, every tensor as raw little-endian float32 one after another, and
/// <c>index.json</c>, each tensor's name, shape and byte offset. Names are TorchSharp's, which the
/// peer's modules reproduce.
/// </summary>
internal static class WeightExport
{
    public static void Write(Transformer model, string directory)
    {
        Directory.CreateDirectory(directory);
        var index = new List<object>();
        long offset = 0;
        using (var blob = new FileStream(Path.Combine(directory, "weights.bin"), FileMode.Create, FileAccess.Write))
        using (var scope = NewDisposeScope())
        {
            foreach ((string name, TorchSharp.Modules.Parameter parameter) in model.named_parameters())
            {
                Tensor values = parameter.detach().to(ScalarType.Float32).cpu().contiguous();
                float[] data = values.data<float>().ToArray();
                if (!BitConverter.IsLittleEndian)
                {
                    throw new PlatformNotSupportedException("the weight export writes the host's byte order, which must be little-endian");
                }

                blob.Write(MemoryMarshal.AsBytes(data.AsSpan()));
                index.Add(new { name, shape = parameter.shape, offset });
                offset += data.Length * sizeof(float);
            }
        }

        File.WriteAllText(Path.Combine(directory, "index.json"), JsonSerializer.Serialize(new { dtype = "float32", byteOrder = "little", tensors = index }));
    }

    /// <summary>The model's shape in the peer's words.</summary>
    public static object PeerConfig(TransformerConfig c) => new
    {
        vocabulary = c.VocabularySize,
        dimension = c.Dimension,
        layers = c.Layers,
        heads = c.Heads,
        kv_heads = c.KvHeads,
        hidden = c.HiddenDimension,
        max_length = c.MaxSequenceLength,
        tied = c.TiedEmbeddings,
        rope_theta = c.RopeTheta,
        norm_epsilon = c.NormEpsilon,
    };
}
