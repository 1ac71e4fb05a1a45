using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using Reasoning.Core.Storage;

namespace Reasoning.Experiments.Records;

/// <summary>What a record log holds.</summary>
/// <param name="Records">
/// The records of every complete, valid frame, in file order; after them, when the log is damaged, a
/// <see cref="UnitFailed"/> for each unit that may have lost records to it (see <see cref="RecordLog.DamagedPhase"/>).
/// </param>
/// <param name="ValidBytes">Where the last good frame ends (the file's length for a clean log).</param>
/// <param name="TornBytes">
/// Bytes after it that are the start of a frame cut short (a kill while appending): fewer than a header, or a
/// header whose plausible length runs past the end of the file. 0 when the log ends cleanly or in <see cref="Damage"/>.
/// </param>
/// <param name="Damage">Regions that are not frames and are not a torn tail: corruption. Empty for a healthy log.</param>
internal sealed record RecordLogContents(IReadOnlyList<RunRecord> Records, long ValidBytes, long TornBytes, IReadOnlyList<RecordLogDamage> Damage)
{
    public static RecordLogContents Empty { get; } = new([], 0, 0, []);

    /// <summary>Bytes of every damaged region.</summary>
    public long DamagedBytes => Damage.Sum(d => d.Bytes);
}

/// <summary>A region of a record log that holds no readable frame, with good frames (or the end of the file) after it.</summary>
/// <param name="Offset">Byte offset of its first byte.</param>
/// <param name="Bytes">Its length: up to the next good frame, or to the end of the file.</param>
/// <param name="RecordIndex">How many good records precede it (so the damaged record is number <c>RecordIndex + 1</c>, counting from 1).</param>
/// <param name="RecordsAfter">Good records after it (the later records that survive).</param>
internal sealed record RecordLogDamage(long Offset, long Bytes, int RecordIndex, int RecordsAfter)
{
    /// <summary>For messages: "corrupt bytes at record 58 (offset 87,709, 1,234 bytes); 33 records after them are kept".</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"corrupt bytes at record {RecordIndex + 1} (offset {Offset:N0}, {Bytes:N0} bytes); {RecordsAfter} record{(RecordsAfter == 1 ? "" : "s")} after them {(RecordsAfter == 1 ? "is" : "are")} kept");
}

/// <summary>
/// A run's append-only record log. The file is a sequence of frames:
/// <c>[payload length: 4 bytes, little-endian][CRC-32 of the payload: 4 bytes, little-endian][payload]</c>,
/// the payload being the MessagePack of one <see cref="RunRecord"/> (through its union).
/// <para>
/// Reading never throws on damage and tells two kinds apart. A kill while appending leaves the last frame short:
/// a <em>torn tail</em>, dropped quietly by <see cref="OpenForAppend"/>. Anything else that is not a frame (a
/// flipped byte, a checksum that fails on a frame of full length, a length no record has) is <em>corruption</em>:
/// reading skips to the next byte offset where a good frame starts and goes on, so the records after it survive,
/// and reports where it was; a unit that may have lost a record to it is read as failed, so it runs again.
/// <see cref="OpenForAppend"/> copies a corrupt file aside before it rewrites it with the good frames only.
/// Each <see cref="Append(IEnumerable{RunRecord})"/> is one write followed by an fsync.
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

    private RecordLog(FileStream stream, string? damagedCopy)
    {
        this.stream = stream;
        DamagedCopy = damagedCopy;
    }

    /// <summary>The path of the log file.</summary>
    public string Path => stream.Name;

    /// <summary>Where <see cref="OpenForAppend"/> copied the file it found corrupt before rewriting it; null when it was not.</summary>
    public string? DamagedCopy { get; }

    /// <summary>Reads every valid record; a missing file is an empty log. Never throws on damage.</summary>
    public static RecordLogContents Read(string path)
    {
        if (!File.Exists(path))
        {
            return RecordLogContents.Empty;
        }

        return Parse(File.ReadAllBytes(path));
    }

    /// <summary>Parses the bytes of a log (see <see cref="Read"/>).</summary>
    public static RecordLogContents Parse(ReadOnlyMemory<byte> bytes) => Scan(bytes, frames: null);

    /// <summary>Parses, collecting each good frame's (offset, length) into <paramref name="frames"/> when given.</summary>
    private static RecordLogContents Scan(ReadOnlyMemory<byte> bytes, List<(int Offset, int Length)>? frames)
    {
        var records = new List<RunRecord>();
        var damage = new List<(int Offset, int Bytes, int Index)>();
        int position = 0, validEnd = 0, torn = 0;
        while (position < bytes.Length)
        {
            if (TryReadFrame(bytes, position, out RunRecord? record, out int frameBytes))
            {
                records.Add(record);
                frames?.Add((position, frameBytes));
                position += frameBytes;
                validEnd = position;
                continue;
            }

            int next = NextFrame(bytes, position + 1);
            if (next == bytes.Length && IsCutShort(bytes.Span[position..]))
            {
                torn = bytes.Length - position;
                break;
            }

            damage.Add((position, next - position, records.Count));
            position = next;
        }

        var regions = damage.Select(d => new RecordLogDamage(d.Offset, d.Bytes, d.Index, records.Count - d.Index)).ToList();
        records.AddRange(LostUnits(records, regions));
        return new RecordLogContents(records, validEnd, torn, regions);
    }

    /// <summary>The phase of the failure records <see cref="LostUnits"/> adds.</summary>
    public const string DamagedPhase = "records";

    /// <summary>
    /// A unit whose latest start precedes a damaged region and whose end (if any) follows it may have lost a record
    /// (an attempt, a phase's cost) to the damage, so its end cannot be trusted: for each such unit, a
    /// <see cref="UnitFailed"/> in phase <see cref="DamagedPhase"/>, to go after every record read. The unit then
    /// shows as failed, and the next <c>run</c> runs it again (a later start supersedes it, as after a kill).
    /// </summary>
    private static List<UnitFailed> LostUnits(List<RunRecord> records, List<RecordLogDamage> damage)
    {
        var lost = new List<UnitFailed>();
        if (damage.Count == 0)
        {
            return lost;
        }

        var open = new Dictionary<(long Seed, string Label), int>();
        var suspect = new Dictionary<(long Seed, string Label), RecordLogDamage>();
        int next = 0;
        for (int i = 0; i <= records.Count; i++)
        {
            for (; next < damage.Count && damage[next].RecordIndex == i; next++)
            {
                foreach ((long Seed, string Label) unit in open.Keys)
                {
                    suspect.TryAdd(unit, damage[next]);
                }
            }

            switch (i < records.Count ? records[i] : null)
            {
                case UnitStarted s:
                    open[(s.Seed, s.Label)] = i;
                    suspect.Remove((s.Seed, s.Label)); // started again after the damage: its records are all here
                    break;
                case UnitFinished f:
                    open.Remove((f.Seed, f.Label));
                    break;
                case UnitFailed f:
                    open.Remove((f.Seed, f.Label));
                    break;
            }
        }

        foreach (((long seed, string label), RecordLogDamage region) in suspect.OrderBy(s => s.Value.Offset).ThenBy(s => s.Key.Seed).ThenBy(s => s.Key.Label, StringComparer.Ordinal))
        {
            lost.Add(new UnitFailed(seed, label, DamagedPhase, $"records of this unit were lost to {region.Describe()}; it runs again"));
        }

        return lost;
    }

    /// <summary>The first offset from <paramref name="start"/> where a good frame begins, or the end of the bytes.</summary>
    private static int NextFrame(ReadOnlyMemory<byte> bytes, int start)
    {
        for (int position = start; position < bytes.Length; position++)
        {
            if (TryReadFrame(bytes, position, out _, out _))
            {
                return position;
            }
        }

        return bytes.Length;
    }

    /// <summary>
    /// Whether <paramref name="rest"/> (everything from a bad frame to the end) is what an append cut short leaves:
    /// fewer bytes than a header, or a header whose length is plausible but runs past the end.
    /// </summary>
    private static bool IsCutShort(ReadOnlySpan<byte> rest)
    {
        if (rest.Length < FrameHeaderBytes)
        {
            return true;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(rest);
        return length > 0 && length <= MaxPayloadBytes && length > rest.Length - FrameHeaderBytes;
    }

    /// <summary>
    /// Opens the log for appending (creating it and its folder if missing): reads what is there, truncates a
    /// torn tail, and positions at the end. A corrupt log is first copied aside (<see cref="DamagedCopy"/>,
    /// <c>records.msgpack.damaged-&lt;UTC time&gt;</c>) and rewritten with its good frames, byte for byte, in order.
    /// The run folder's lock (<see cref="RunFolderLock"/>) makes the caller the only writer.
    /// </summary>
    public static RecordLog OpenForAppend(string path, out RecordLogContents existing)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        string? folder = System.IO.Path.GetDirectoryName(fullPath);
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        string? damagedCopy = null;
        if (File.Exists(fullPath))
        {
            byte[] bytes = File.ReadAllBytes(fullPath);
            var frames = new List<(int Offset, int Length)>();
            existing = Scan(bytes, frames);
            if (existing.Damage.Count > 0)
            {
                damagedCopy = CopyAside(fullPath);
                var repaired = new ArrayBufferWriter<byte>(bytes.Length);
                foreach ((int offset, int length) in frames)
                {
                    repaired.Write(bytes.AsSpan(offset, length));
                }

                // The failures of units that lost records go in too, so the repaired log reads as the damaged one did.
                foreach (RunRecord marker in existing.Records.Skip(frames.Count))
                {
                    WriteFrame(repaired, marker);
                }

                AtomicFile.WriteAllBytes(fullPath, repaired.WrittenSpan);
            }
        }
        else
        {
            existing = RecordLogContents.Empty;
        }

        var stream = new FileStream(fullPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            long keep = existing.Damage.Count > 0 ? stream.Length : existing.ValidBytes;
            if (stream.Length > keep)
            {
                stream.SetLength(keep);
                stream.Flush(flushToDisk: true);
            }

            stream.Seek(0, SeekOrigin.End);
            return new RecordLog(stream, damagedCopy);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Copies a damaged log to a new name beside it (never overwriting an earlier copy); returns the copy's path.</summary>
    private static string CopyAside(string path)
    {
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        for (int n = 0; ; n++)
        {
            string copy = $"{path}.damaged-{stamp}{(n == 0 ? "" : $"-{n}")}";
            if (!File.Exists(copy))
            {
                File.Copy(path, copy);
                return copy;
            }
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
            // The checksum matched but the payload is not a record we can read: not a frame (corruption, or the torn tail).
            return false;
        }

        frameBytes = FrameHeaderBytes + length;
        return true;
    }
}
