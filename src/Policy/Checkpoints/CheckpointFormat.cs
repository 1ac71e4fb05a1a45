using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Reasoning.Policy.Model;
using static TorchSharp.torch;

namespace Reasoning.Policy.Checkpoints;

/// <summary>
/// The checkpoint file, format version 1. Integers are little-endian.
/// <code>
/// offset      size  field
/// 0           8     magic 89 52 43 4B 50 54 0D 0A ("\x89RCKPT\r\n": a high byte and CR LF, as in PNG,
///                   so 7-bit and text-mode copies fail loudly)
/// 8           4     format version, uint32
/// 12          4     header length H, uint32
/// 16          H     header, UTF-8 JSON: { "content": { "config", "characters", "tensors" },
///                   "payloadLength", "contentHash", "metadata" }
/// 16+H        P     payload: the tensors back to back in table order, raw little-endian elements
/// 16+H+P      32    trailer: SHA-256 of every byte before it
/// </code>
/// Every version keeps the first 16 bytes and the trailer, so a reader can tell a damaged file
/// from a newer one. The tensor table lists name, dtype (<c>float32</c> or <c>bfloat16</c>),
/// shape, offset into the payload and byte length; tensors are sorted by name (ordinal) and
/// tile the payload without gaps.
/// <para>
/// The content hash is SHA-256 over the content section serialised compactly (the
/// <see cref="TransformerConfig"/> constructor fields, the tokenizer characters, the tensor
/// table) followed by the payload. It covers everything that decides what the model computes
/// (weights, dtypes, shapes, config, vocabulary) and nothing else: not the metadata (steps,
/// timestamps), the format version or the trailer. Saving the same model twice gives the same
/// content hash whatever the metadata; the SHA-256 trailer differs.
/// </para>
/// </summary>
internal static class CheckpointFormat
{
    public const uint Version = 1;
    public const int PreambleLength = 16;
    public const int TrailerLength = 32;

    /// <summary>A header is a few kilobytes; a length beyond this is damage, not a big model.</summary>
    public const int MaxHeaderLength = 64 << 20;

    public static ReadOnlySpan<byte> Magic => [0x89, (byte)'R', (byte)'C', (byte)'K', (byte)'P', (byte)'T', 0x0D, 0x0A];

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { ConfigFields.KeepOnlyConstructorFields } },
    };

    public static byte[] Preamble(uint version, int headerLength)
    {
        var bytes = new byte[PreambleLength];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), version);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)headerLength);
        return bytes;
    }

    /// <summary>A content hash primed with the canonical content section; append the payload, then finish with <see cref="Hex"/>.</summary>
    public static IncrementalHash StartContentHash(CheckpointContent content)
    {
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(content, Json));
        return hash;
    }

    public static string Hex(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetHashAndReset());
}

/// <summary>One tensor of the payload.</summary>
/// <param name="Offset">Bytes from the start of the payload.</param>
/// <param name="Length">Bytes: elements × element size.</param>
internal sealed record TensorEntry(string Name, string Dtype, long[] Shape, long Offset, long Length);

/// <summary>The part of the header that the content hash covers.</summary>
internal sealed record CheckpointContent(TransformerConfig Config, string Characters, IReadOnlyList<TensorEntry> Tensors);

/// <summary>The JSON header.</summary>
internal sealed record CheckpointHeader(CheckpointContent Content, long PayloadLength, string ContentHash, IReadOnlyDictionary<string, string> Metadata);

/// <summary>The element types a checkpoint stores, by their names in the tensor table.</summary>
internal static class TensorDtypes
{
    public static string? Name(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        _ => null,
    };

    public static bool TryParse(string name, out ScalarType type, out int elementSize)
    {
        (bool known, type, elementSize) = name switch
        {
            "float32" => (true, ScalarType.Float32, 4),
            "bfloat16" => (true, ScalarType.BFloat16, 2),
            _ => (false, default(ScalarType), 0),
        };
        return known;
    }

    /// <summary>Turns native-order elements into little-endian ones and back; nothing to do on little-endian machines.</summary>
    public static void SwapUnlessLittleEndian(Span<byte> bytes, int elementSize)
    {
        if (BitConverter.IsLittleEndian)
        {
            return;
        }

        for (int i = 0; i < bytes.Length; i += elementSize)
        {
            bytes.Slice(i, elementSize).Reverse();
        }
    }
}
