using System.Buffers;
using System.Buffers.Binary;
using Reasoning.Experiments.Records;

namespace Reasoning.Tests.Experiments.Records;

public sealed class RecordLogTests
{
    [Fact]
    public void AMissingFileIsAnEmptyLog()
    {
        using var folder = new TempFolder();
        RecordLogContents contents = RecordLog.Read(folder.File("absent.msgpack"));
        Assert.Empty(contents.Records);
        Assert.Equal(0, contents.ValidBytes);
        Assert.Equal(0, contents.TornBytes);
    }

    [Fact]
    public void EveryRecordTypeRoundTrips()
    {
        using var folder = new TempFolder();
        string path = folder.File("sub/records.msgpack");
        using (RecordLog log = RecordLog.OpenForAppend(path, out RecordLogContents existing))
        {
            Assert.Empty(existing.Records);
            log.Append(SampleRecords.OneOfEach[0]);
            log.Append(SampleRecords.OneOfEach.Skip(1));
        }

        RecordLogContents contents = RecordLog.Read(path);
        Assert.Equal(SampleRecords.OneOfEach, contents.Records);
        Assert.Equal(new FileInfo(path).Length, contents.ValidBytes);
        Assert.Equal(0, contents.TornBytes);
        Assert.Equal(SampleRecords.OneOfEach.Select(r => r.GetType()), contents.Records.Select(r => r.GetType()));
    }

    [Fact]
    public void AppendingAfterReopeningKeepsEarlierRecords()
    {
        using var folder = new TempFolder();
        string path = folder.File("records.msgpack");
        using (RecordLog log = RecordLog.OpenForAppend(path, out _))
        {
            log.Append(SampleRecords.OneOfEach.Take(3));
        }

        using (RecordLog log = RecordLog.OpenForAppend(path, out RecordLogContents existing))
        {
            Assert.Equal(SampleRecords.OneOfEach.Take(3), existing.Records);
            log.Append(SampleRecords.OneOfEach.Skip(3));
        }

        Assert.Equal(SampleRecords.OneOfEach, RecordLog.Read(path).Records);
    }

    [Fact]
    public void AReaderSeesAppendedRecordsWhileTheLogIsOpen()
    {
        using var folder = new TempFolder();
        string path = folder.File("records.msgpack");
        using RecordLog log = RecordLog.OpenForAppend(path, out _);
        log.Append(SampleRecords.OneOfEach.Take(2));
        Assert.Equal(SampleRecords.OneOfEach.Take(2), RecordLog.Read(path).Records);
        log.Append(SampleRecords.OneOfEach.Skip(2));
        Assert.Equal(SampleRecords.OneOfEach, RecordLog.Read(path).Records);
    }

    [Fact]
    public void ATornLastFrameIsDroppedAtEveryCutAndAppendingResumes()
    {
        using var folder = new TempFolder();
        IReadOnlyList<RunRecord> records = SampleRecords.SmallRun().Take(6).ToList();
        byte[] whole = Frames(records);
        int lastFrameStart = Frames(records.Take(records.Count - 1)).Length;
        var garbage = new byte[37];
        new Random(12345).NextBytes(garbage);
        var resumed = new UnitFailed(9, "resumed", "train", "after the cut");
        string path = folder.File("records.msgpack");

        for (int cut = lastFrameStart; cut < whole.Length; cut++)
        {
            foreach (bool withGarbage in new[] { false, true })
            {
                byte[] damaged = withGarbage ? [.. whole.AsSpan(0, cut), .. garbage] : whole[..cut];
                File.WriteAllBytes(path, damaged);

                RecordLogContents contents = RecordLog.Read(path);
                Assert.Equal(records.Take(records.Count - 1), contents.Records);
                Assert.Equal(lastFrameStart, contents.ValidBytes);
                Assert.Equal(damaged.Length - lastFrameStart, contents.TornBytes);

                using (RecordLog log = RecordLog.OpenForAppend(path, out RecordLogContents existing))
                {
                    Assert.Equal(contents.ValidBytes, existing.ValidBytes);
                    Assert.Equal(contents.TornBytes, existing.TornBytes);
                    Assert.Equal(records.Take(records.Count - 1), existing.Records);
                    Assert.Equal(lastFrameStart, new FileInfo(path).Length);
                    log.Append(resumed);
                }

                RecordLogContents after = RecordLog.Read(path);
                Assert.Equal([.. records.Take(records.Count - 1), resumed], after.Records);
                Assert.Equal(0, after.TornBytes);
            }
        }
    }

    [Fact]
    public void ACorruptedByteEndsTheLogBeforeItsFrame()
    {
        IReadOnlyList<RunRecord> records = SampleRecords.OneOfEach;
        byte[] bytes = Frames(records);
        int thirdFrameStart = Frames(records.Take(2)).Length;
        bytes[thirdFrameStart + RecordLog.FrameHeaderBytes + 2] ^= 0x40;

        RecordLogContents contents = RecordLog.Parse(bytes);
        Assert.Equal(records.Take(2), contents.Records);
        Assert.Equal(thirdFrameStart, contents.ValidBytes);
        Assert.Equal(bytes.Length - thirdFrameStart, contents.TornBytes);
    }

    [Theory]
    [InlineData(new byte[] { 0xC1 })] // a byte MessagePack never uses
    [InlineData(new byte[] { 0x05 })] // a valid MessagePack integer, not a record
    [InlineData(new byte[] { 0x92, 0x63, 0xC0 })] // a union array with an unknown case
    public void AFrameWithAValidChecksumThatIsNotARecordStartsTheTornTail(byte[] payload)
    {
        byte[] good = Frames(SampleRecords.OneOfEach.Take(2));
        byte[] bad = new byte[RecordLog.FrameHeaderBytes + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bad, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(4), Crc32.Compute(payload));
        payload.CopyTo(bad, RecordLog.FrameHeaderBytes);

        RecordLogContents contents = RecordLog.Parse((byte[])[.. good, .. bad, .. Frames(SampleRecords.OneOfEach.Skip(2))]);
        Assert.Equal(SampleRecords.OneOfEach.Take(2), contents.Records);
        Assert.Equal(good.Length, contents.ValidBytes);
    }

    [Fact]
    public void AHugeLengthPrefixIsGarbageNotAnAllocation()
    {
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0, 1, 2, 3];
        RecordLogContents contents = RecordLog.Parse(bytes);
        Assert.Empty(contents.Records);
        Assert.Equal(bytes.Length, contents.TornBytes);
    }

    private static byte[] Frames(IEnumerable<RunRecord> records)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (RunRecord record in records)
        {
            RecordLog.WriteFrame(buffer, record);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
