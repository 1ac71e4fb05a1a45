using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Reasoning.Policy.Tokenization;
using static Reasoning.Policy.Checkpoints.CheckpointException;
using static TorchSharp.torch;

namespace Reasoning.Policy.Checkpoints;

/// <summary>
/// Reads the layout of <see cref="CheckpointFormat"/> in one pass and sorts every problem into
/// truncated, corrupted or mismatched (<see cref="CheckpointErrorKind"/>). Two steps, so a
/// caller can check the header (and build a model outside any dispose scope) before the
/// payload is staged: <see cref="Open"/> reads and checks preamble, header and file length;
/// <see cref="ReadTensors"/> stages the payload and checks both hashes. Nothing reaches a model
/// before the SHA-256 trailer has matched.
/// </summary>
internal sealed class CheckpointReader : IDisposable
{
    private readonly string _path;
    private readonly FileStream _stream;
    private readonly IncrementalHash _fileHash;

    public CheckpointHeader Header { get; }

    private CheckpointReader(string path, FileStream stream, IncrementalHash fileHash)
    {
        (_path, _stream, _fileHash) = (path, stream, fileHash);
        Header = ReadHeader(path, stream, fileHash);
        long expected = stream.Position + Header.PayloadLength + CheckpointFormat.TrailerLength;
        if (stream.Length < expected)
        {
            throw Truncated(path, $"it has {stream.Length} bytes but its header describes {expected}");
        }

        if (stream.Length > expected)
        {
            throw Corrupted(path, $"it has {stream.Length - expected} bytes beyond the {expected} its header describes");
        }
    }

    /// <summary>Reads and checks the preamble, the header and the file's length.</summary>
    public static CheckpointReader Open(string path)
    {
        FileStream stream = OpenFile(path);
        var fileHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            return new CheckpointReader(path, stream, fileHash);
        }
        catch
        {
            stream.Dispose();
            fileHash.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stages every tensor on the CPU and checks the trailer and the content hash. Call once,
    /// inside a dispose scope: it owns the staged tensors.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> ReadTensors()
    {
        using IncrementalHash contentHash = CheckpointFormat.StartContentHash(Header.Content);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (TensorEntry entry in Header.Content.Tensors)
        {
            TensorDtypes.TryParse(entry.Dtype, out ScalarType dtype, out int elementSize);
            Tensor tensor = empty(entry.Shape, dtype);
            Span<byte> bytes = tensor.bytes;
            ReadExactly(_path, _stream, bytes);
            _fileHash.AppendData(bytes);
            contentHash.AppendData(bytes);
            TensorDtypes.SwapUnlessLittleEndian(bytes, elementSize);
            tensors.Add(entry.Name, tensor);
        }

        Span<byte> trailer = stackalloc byte[CheckpointFormat.TrailerLength];
        ReadExactly(_path, _stream, trailer);
        if (!trailer.SequenceEqual(_fileHash.GetHashAndReset()))
        {
            throw Corrupted(_path, "its SHA-256 trailer does not match its content");
        }

        string actual = CheckpointFormat.Hex(contentHash);
        if (actual != Header.ContentHash)
        {
            throw Corrupted(_path, $"its header reports content hash {Header.ContentHash} but the content hashes to {actual}");
        }

        return tensors;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _fileHash.Dispose();
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);

    /// <summary>Reads preamble and header into <paramref name="fileHash"/>; leaves the stream at the payload.</summary>
    private static CheckpointHeader ReadHeader(string path, FileStream stream, IncrementalHash fileHash)
    {
        long length = stream.Length;
        Span<byte> preamble = stackalloc byte[CheckpointFormat.PreambleLength];
        int read = stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false);
        int magicRead = Math.Min(read, CheckpointFormat.Magic.Length);
        if (!preamble[..magicRead].SequenceEqual(CheckpointFormat.Magic[..magicRead]))
        {
            throw Corrupted(path, "it does not start with the checkpoint magic bytes");
        }

        if (read < CheckpointFormat.PreambleLength)
        {
            throw Truncated(path, $"it has {length} bytes, fewer than the {CheckpointFormat.PreambleLength}-byte preamble");
        }

        fileHash.AppendData(preamble);
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(preamble[8..]);
        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(preamble[12..]);
        if (version != CheckpointFormat.Version)
        {
            throw UnknownVersion(path, stream, fileHash, version);
        }

        if (headerLength > CheckpointFormat.MaxHeaderLength)
        {
            throw Corrupted(path, $"its preamble announces a header of {headerLength} bytes, more than any checkpoint header");
        }

        if (length < CheckpointFormat.PreambleLength + headerLength)
        {
            throw Truncated(path, $"it has {length} bytes but its preamble announces a {headerLength}-byte header after {CheckpointFormat.PreambleLength} bytes");
        }

        var json = new byte[headerLength];
        ReadExactly(path, stream, json);
        fileHash.AppendData(json);
        return Parse(path, json);
    }

    /// <summary>
    /// Every version ends with the SHA-256 trailer, so an intact file of another version is a
    /// mismatch, while a trailer that fails means the version field itself may be damaged.
    /// </summary>
    private static CheckpointException UnknownVersion(string path, FileStream stream, IncrementalHash fileHash, uint version)
    {
        string detail = $"it has format version {version}; this build reads version {CheckpointFormat.Version}";
        long trailerStart = stream.Length - CheckpointFormat.TrailerLength;
        if (trailerStart < stream.Position)
        {
            return Corrupted(path, detail + ", and it is too short for a trailer");
        }

        var buffer = new byte[1 << 16];
        while (stream.Position < trailerStart)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, trailerStart - stream.Position));
            fileHash.AppendData(buffer, 0, n);
        }

        Span<byte> trailer = stackalloc byte[CheckpointFormat.TrailerLength];
        ReadExactly(path, stream, trailer);
        return trailer.SequenceEqual(fileHash.GetHashAndReset())
            ? Mismatched(path, detail)
            : Corrupted(path, detail + ", and its SHA-256 trailer does not match, so the version field itself may be damaged");
    }

    private static CheckpointHeader Parse(string path, byte[] json)
    {
        CheckpointHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<CheckpointHeader>(json, CheckpointFormat.Json);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw Corrupted(path, $"its header cannot be read: {e.Message}");
        }

        if (header is null)
        {
            throw Corrupted(path, "its header is empty");
        }

        string? problem = Check(header);
        return problem is null ? header : throw Corrupted(path, problem);
    }

    /// <summary>What makes a parsed header unusable, or null. The writer never produces any of these.</summary>
    private static string? Check(CheckpointHeader header)
    {
        CheckpointContent content = header.Content;
        try
        {
            content.Config.Validate();
        }
        catch (ArgumentException e)
        {
            return $"its header holds an invalid config: {e.Message}";
        }

        if (new CharTokenizer(content.Characters) is var tokenizer
            && (tokenizer.Characters != content.Characters || tokenizer.VocabularySize != content.Config.VocabularySize))
        {
            return $"its tokenizer characters (\"{content.Characters}\") do not give the config's vocabulary of {content.Config.VocabularySize}";
        }

        if (header.ContentHash.Length != 64 || !header.ContentHash.All(char.IsAsciiHexDigitLower))
        {
            return $"its content hash \"{header.ContentHash}\" is not 64 lowercase hex digits";
        }

        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (TensorEntry entry in content.Tensors)
        {
            if (!names.Add(entry.Name))
            {
                return $"tensor {entry.Name} appears twice";
            }

            if (!TensorDtypes.TryParse(entry.Dtype, out _, out int elementSize))
            {
                return $"tensor {entry.Name} has dtype \"{entry.Dtype}\"; checkpoints hold float32 and bfloat16";
            }

            if (entry.Shape.Any(d => d < 0) || entry.Offset != offset || entry.Length != ByteLength(entry.Shape, elementSize))
            {
                return $"tensor {entry.Name} (shape [{string.Join(", ", entry.Shape)}], offset {entry.Offset}, {entry.Length} bytes) does not follow the tensor before it at offset {offset}";
            }

            if (entry.Length > Array.MaxLength)
            {
                return $"tensor {entry.Name} has {entry.Length} bytes, more than one tensor can hold here";
            }

            offset += entry.Length;
        }

        return offset == header.PayloadLength ? null : $"its tensors take {offset} bytes but its payload length is {header.PayloadLength}";
    }

    private static long ByteLength(long[] shape, int elementSize)
    {
        try
        {
            return checked(shape.Aggregate(1L, (product, d) => product * d) * elementSize);
        }
        catch (OverflowException)
        {
            return -1;
        }
    }

    private static void ReadExactly(string path, FileStream stream, Span<byte> buffer)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            // The length was checked first: the file shrank while being read.
            throw Truncated(path, $"it ended at byte {stream.Position} while being read");
        }
    }
}
