using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Reasoning.Experiments.Records;

/// <summary>What a record log holds.</summary>
/// <param name="Records">The records of every complete, valid frame, in file order.</param>
/// <param name="ValidBytes">Length of the file's valid prefix: every byte up to the end of the last good frame.</param>
/// <param name="TornBytes">Bytes after it: a half-written frame, a bad checksum or garbage (0 for a clean log).</param>
internal sealed record RecordLogContents(IReadOnlyList<RunRecord> Records, long ValidBytes, long TornBytes)
{
    public static RecordLogContents Empty { get; } = new([], 0, 0);
}

/// <summary>
/// A run's append-only record log. The file is a sequence of frames:
/// <c>[payload length: 4 bytes, little-endian][CRC-32 of the payload: 4 bytes, little-endian][payload]</c>,
/// the payload being the MessagePack of one <see cref="RunRecord"/> (through its union).
/// <para>
/// A kill can leave the last frame half-written. Reading stops at the first frame that is incomplete,
/// fails its checksum or does not deserialize, and reports the rest as torn instead of throwing;
/// <see cref="OpenForAppend"/> cuts the torn tail off, so nothing finished is lost and the half-written
/// record is dropped. Each <see cref="Append(IEnumerable{RunRecord})"/> is one write followed by an fsync.
/// </para>
/// </summary>
internal sealed class RecordLog : IDisposable
{
    /// <summary>Length prefix and checksum.</summary>
    public const int FrameHeaderBytes = 8;

    /// <summary>No record comes near this; a larger length prefix is garbage.</summary>
    private const int MaxPayloadBytes = 256 * 1024 * 1024;

    private static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    private readonly FileStream stream;
    private readonly Lock gate = new();

    private RecordLog(FileStream stream) => this.stream = stream;

    /// <summary>The path of the log file.</summary>
    public string Path => stream.Name;

    /// <summary>Reads every valid record; a missing file is an empty log. Never throws on a damaged tail.</summary>
    public static RecordLogContents Read(string path)
    {
        if (!File.Exists(path))
        {
            return RecordLogContents.Empty;
        }

        return Parse(File.ReadAllBytes(path));
    }

    /// <summary>Parses the bytes of a log (see <see cref="Read"/>).</summary>
    public static RecordLogContents Parse(ReadOnlyMemory<byte> bytes)
    {
        var records = new List<RunRecord>();
        int position = 0;
        while (TryReadFrame(bytes, position, out RunRecord? record, out int frameBytes))
        {
            records.Add(record);
            position += frameBytes;
        }

        return new RecordLogContents(records, position, bytes.Length - position);
    }

    /// <summary>
    /// Opens the log for appending (creating it and its folder if missing): reads what is there, truncates a
    /// torn tail, and positions at the end. Only one writer may hold the file.
    /// </summary>
    public static RecordLog OpenForAppend(string path, out RecordLogContents existing)
    {
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            existing = Parse(bytes);
            if (existing.TornBytes > 0)
            {
                stream.SetLength(existing.ValidBytes);
                stream.Flush(flushToDisk: true);
            }

            stream.Seek(0, SeekOrigin.End);
            return new RecordLog(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends one record and flushes it to disk.</summary>
    public void Append(RunRecord record) => Append([record]);

    /// <summary>Appends records in one write and flushes them to disk.</summary>
    public void Append(IEnumerable<RunRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (RunRecord record in records)
        {
            WriteFrame(buffer, record);
        }

        if (buffer.WrittenCount == 0)
        {
            return;
        }

        lock (gate)
        {
            stream.Write(buffer.WrittenSpan);
            stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => stream.Dispose();

    /// <summary>Serializes one record as a frame (header and payload).</summary>
    internal static void WriteFrame(IBufferWriter<byte> output, RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        byte[] payload = MessagePackSerializer.Serialize(record, Options);
        Span<byte> header = output.GetSpan(FrameHeaderBytes)[..FrameHeaderBytes];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute(payload));
        output.Advance(FrameHeaderBytes);
        output.Write(payload);
    }

    private static bool TryReadFrame(ReadOnlyMemory<byte> bytes, int position, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RunRecord? record, out int frameBytes)
    {
        record = null;
        frameBytes = 0;
        ReadOnlySpan<byte> rest = bytes.Span[position..];
        if (rest.Length < FrameHeaderBytes)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(rest);
        if (length <= 0 || length > MaxPayloadBytes || length > rest.Length - FrameHeaderBytes)
        {
            return false;
        }

        uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
        ReadOnlyMemory<byte> payload = bytes.Slice(position + FrameHeaderBytes, length);
        if (Crc32.Compute(payload.Span) != checksum)
        {
            return false;
        }

        try
        {
            record = MessagePackSerializer.Deserialize<RunRecord>(payload, Options, out int read);
            if (record is null || read != length)
            {
                record = null;
                return false;
            }
        }
        catch (Exception e) when (e is MessagePackSerializationException or InvalidOperationException or OverflowException or ArgumentException or FormatException or EndOfStreamException)
        {
            // The checksum matched but the payload is not a record we can read: treat it as the torn tail.
            return false;
        }

        frameBytes = FrameHeaderBytes + length;
        return true;
    }
}
