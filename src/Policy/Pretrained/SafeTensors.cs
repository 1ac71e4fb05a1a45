using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace Reasoning.Policy.Pretrained;

/// <summary>One tensor of a safetensors file, as its header describes it.</summary>
/// <param name="File">The file it is in.</param>
/// <param name="Dtype">The header's dtype string (<c>F32</c>, <c>BF16</c>, <c>F16</c>, ...).</param>
/// <param name="Start">Absolute byte offset of its first byte in the file.</param>
/// <param name="Length">Bytes.</param>
public sealed record SafeTensorEntry(string Name, string File, string Dtype, long[] Shape, long Start, long Length)
{
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}</c>, padded with spaces to a multiple
/// of 8), then the tensors' raw little-endian bytes, offsets counted from the end of the header. Read here with every
/// offset, length and dtype checked against the file before a byte of weights is read, so a damaged file is named
/// rather than half loaded.
/// </summary>
public static class SafeTensors
{
    /// <summary>The dtypes a model folder's weights may be in, with their element sizes.</summary>
    public static readonly IReadOnlyDictionary<string, (ScalarType Type, int Size)> WeightDtypes = new Dictionary<string, (ScalarType, int)>
    {
        ["F32"] = (ScalarType.Float32, 4),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["F16"] = (ScalarType.Float16, 2),
    };

    private static readonly Dictionary<string, int> OtherDtypeSizes = new()
    {
        ["F64"] = 8, ["I64"] = 8, ["U64"] = 8, ["I32"] = 4, ["U32"] = 4, ["I16"] = 2, ["U16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
        ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
    };

    /// <summary>A header is metadata; one past this is damage.</summary>
    private const long MaxHeaderLength = 100L << 20;

    /// <summary>Reads and checks the header of <paramref name="file"/>: every tensor's dtype is known, its bytes match its shape, and it lies inside the file.</summary>
    /// <exception cref="ModelFolderException">The file is missing, truncated or malformed (the message names the tensor).</exception>
    public static IReadOnlyList<SafeTensorEntry> ReadHeader(string file)
    {
        if (!File.Exists(file))
        {
            throw new ModelFolderException(file, "not found");
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read);
        long fileLength = stream.Length;
        Span<byte> prefix = stackalloc byte[8];
        if (fileLength < 8 || stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
        {
            throw new ModelFolderException(file, $"is truncated: {fileLength} bytes, shorter than a safetensors header");
        }

        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(prefix);
        if (headerLength < 2 || headerLength > MaxHeaderLength)
        {
            throw new ModelFolderException(file, $"is not a safetensors file: its header length field reads {headerLength}");
        }

        if (8 + headerLength > fileLength)
        {
            throw new ModelFolderException(file, $"is truncated: its header needs {8 + headerLength} bytes, the file has {fileLength}");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(header);
        }
        catch (JsonException e)
        {
            throw new ModelFolderException(file, $"has a malformed safetensors header: {e.Message}");
        }

        if (root is not JsonObject table)
        {
            throw new ModelFolderException(file, "has a safetensors header that is not a JSON object");
        }

        long dataStart = 8 + headerLength;
        var entries = new List<SafeTensorEntry>();
        foreach ((string name, JsonNode? node) in table)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            entries.Add(Entry(file, name, node, dataStart, fileLength));
        }

        return entries;
    }

    private static SafeTensorEntry Entry(string file, string name, JsonNode? node, long dataStart, long fileLength)
    {
        ModelFolderException Bad(string detail) => new(file, $"tensor {name}: {detail}");
        if (node is not JsonObject entry
            || entry["dtype"] is not JsonValue dtypeNode || !dtypeNode.TryGetValue(out string? dtype)
            || entry["shape"] is not JsonArray shapeNode || entry["data_offsets"] is not JsonArray offsets || offsets.Count != 2)
        {
            throw Bad("its header entry needs dtype, shape and data_offsets [begin, end]");
        }

        long[] shape;
        long begin, end;
        try
        {
            shape = shapeNode.Select(d => d!.GetValue<long>()).ToArray();
            (begin, end) = (offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw Bad("its shape and data_offsets must be integers");
        }

        int size = WeightDtypes.TryGetValue(dtype, out var known) ? known.Size
            : OtherDtypeSizes.TryGetValue(dtype, out int other) ? other
            : throw Bad($"dtype '{dtype}' is not a safetensors dtype");
        if (shape.Any(d => d < 0) || begin < 0 || end < begin)
        {
            throw Bad($"has a negative size or offsets [{begin}, {end}]");
        }

        long elements = shape.Aggregate(1L, (a, b) => a * b);
        if (end - begin != elements * size)
        {
            throw Bad($"shape [{string.Join(", ", shape)}] of {dtype} needs {elements * size} bytes, but its offsets span {end - begin}");
        }

        if (dataStart + end > fileLength)
        {
            throw new ModelFolderException(file, $"is truncated: tensor {name} ends at byte {dataStart + end}, the file has {fileLength}");
        }

        return new SafeTensorEntry(name, file, dtype, shape, dataStart + begin, end - begin);
    }

    /// <summary>Reads one tensor into a new CPU tensor of its stored dtype (F32, BF16 or F16).</summary>
    public static Tensor Read(SafeFileHandle handle, SafeTensorEntry entry)
    {
        if (!WeightDtypes.TryGetValue(entry.Dtype, out var dtype))
        {
            throw new ModelFolderException(entry.File, $"tensor {entry.Name}: dtype {entry.Dtype} is not a weight dtype; weights are F32, BF16 or F16");
        }

        Tensor result = empty(entry.Shape, dtype.Type);
        Span<byte> bytes = result.bytes;
        long at = entry.Start;
        while (bytes.Length > 0)
        {
            int read = RandomAccess.Read(handle, bytes, at);
            if (read == 0)
            {
                result.Dispose();
                throw new ModelFolderException(entry.File, $"is truncated inside tensor {entry.Name}");
            }

            bytes = bytes[read..];
            at += read;
        }

        if (!BitConverter.IsLittleEndian)
        {
            result.Dispose();
            throw new PlatformNotSupportedException("safetensors are little-endian; this build reads them on little-endian machines only");
        }

        return result;
    }

    /// <summary>
    /// Writes CPU tensors (F32, BF16 or F16) to <paramref name="path"/> in the safetensors format, in the order given,
    /// the header padded with spaces to a multiple of 8 bytes as the reference writer does. Atomic: a temporary file is
    /// renamed over the target.
    /// </summary>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = new JsonObject(metadata.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        }

        long offset = 0;
        foreach ((string name, Tensor tensor) in tensors)
        {
            string dtype = WeightDtypes.FirstOrDefault(p => p.Value.Type == tensor.dtype).Key
                ?? throw new ArgumentException($"tensor {name} is {tensor.dtype}; safetensors weights are written as F32, BF16 or F16");
            long length = tensor.numel() * tensor.element_size();
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + length),
            };
            offset += length;
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        Core.Storage.AtomicFile.Replace(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(prefix, padded);
            stream.Write(prefix);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++)
            {
                stream.WriteByte((byte)' ');
            }

            foreach ((_, Tensor tensor) in tensors)
            {
                // A scope, not a using: cpu() and contiguous() may hand back the caller's own tensor.
                using var scope = NewDisposeScope();
                stream.Write(tensor.cpu().contiguous().bytes);
            }

            stream.Flush(flushToDisk: true);
        });
    }
}
