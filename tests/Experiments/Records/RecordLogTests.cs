using System.Buffers;
using System.Buffers.Binary;
using Reasoning.Experiments.Records;
using Reasoning.Experiments.Runner;

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
        var resumed = new UnitFailed(9, "resumed", "train", "after the cut");
        string path = folder.File("records.msgpack");

        for (int cut = lastFrameStart + 1; cut < whole.Length; cut++)
        {
            byte[] damaged = whole[..cut];
            File.WriteAllBytes(path, damaged);

            RecordLogContents contents = RecordLog.Read(path);
            Assert.Equal(records.Take(records.Count - 1), contents.Records);
            Assert.Equal(lastFrameStart, contents.ValidBytes);
            Assert.Equal(cut - lastFrameStart, contents.TornBytes);
            Assert.Empty(contents.Damage);

            using (RecordLog log = RecordLog.OpenForAppend(path, out RecordLogContents existing))
            {
                Assert.Equal(contents.TornBytes, existing.TornBytes);
                Assert.Equal(records.Take(records.Count - 1), existing.Records);
                Assert.Equal(lastFrameStart, new FileInfo(path).Length);
                Assert.Null(log.DamagedCopy);
                log.Append(resumed);
            }

            RecordLogContents after = RecordLog.Read(path);
            Assert.Equal([.. records.Take(records.Count - 1), resumed], after.Records);
            Assert.Equal(0, after.TornBytes);
            Assert.Single(Directory.GetFiles(folder.Path)); // a torn tail is not worth a copy
        }
    }

    [Fact]
    public void GarbageAfterTheLastGoodFrameIsDroppedWhateverItIs()
    {
        // Random bytes where the last frame was: either a header whose length runs past the end (torn) or not a
        // frame at all (corruption at the end); either way the good records are kept and appending resumes after them.
        using var folder = new TempFolder();
        IReadOnlyList<RunRecord> records = SampleRecords.SmallRun().Take(6).ToList();
        byte[] good = Frames(records.Take(5));
        var random = new Random(12345);
        string path = folder.File("records.msgpack");
        for (int trial = 0; trial < 40; trial++)
        {
            var garbage = new byte[random.Next(1, 60)];
            random.NextBytes(garbage);
            File.WriteAllBytes(path, [.. good, .. garbage]);

            RecordLogContents contents = RecordLog.Read(path);
            Assert.Equal(records.Take(5), contents.Records.Take(5));
            Assert.Equal(garbage.Length, contents.TornBytes + contents.DamagedBytes);
            // The base policy's unit was open: cut short, it did not finish; corrupt, it may have lost a record and failed.
            Assert.Equal(contents.Damage.Count, contents.Records.Skip(5).OfType<UnitFailed>().Count(u => u.Label == RunRecord.BasePolicyLabel));
            using (RecordLog log = RecordLog.OpenForAppend(path, out _))
            {
                Assert.Equal(contents.Records, RecordLog.Read(path).Records);
                Assert.Equal(contents.Damage.Count == 0 ? good.Length : Frames(contents.Records).Length, new FileInfo(path).Length);
            }

            foreach (string copy in Directory.GetFiles(folder.Path, "*.damaged-*"))
            {
                File.Delete(copy);
            }
        }
    }

    [Fact]
    public void AFlippedByteMidLogIsCorruptionAtItsRecordAndTheRecordsAfterItAreKept()
    {
        using var folder = new TempFolder();
        IReadOnlyList<RunRecord> records = SampleRecords.OneOfEach;
        byte[] bytes = Frames(records);
        // The third record (number 3, counting from 1) starts after the first two frames.
        int thirdFrameStart = Frames(records.Take(2)).Length;
        int thirdFrameLength = Frames(records.Take(3)).Length - thirdFrameStart;
        bytes[thirdFrameStart + RecordLog.FrameHeaderBytes + 2] ^= 0x40;

        RecordLogContents contents = RecordLog.Parse(bytes);
        // Unit (7, search) was open where the damage is: it may have lost a record, so it is read as failed after the rest.
        Assert.Equal([.. records.Take(2), .. records.Skip(3)], contents.Records.Take(records.Count - 1));
        UnitFailed lost = Assert.IsType<UnitFailed>(Assert.Single(contents.Records.Skip(records.Count - 1)));
        Assert.Equal((7L, "search", RecordLog.DamagedPhase), (lost.Seed, lost.Label, lost.Phase));
        Assert.Contains("corrupt bytes at record 3", lost.Error);
        Assert.Equal(0, contents.TornBytes);
        RecordLogDamage damage = Assert.Single(contents.Damage);
        Assert.Equal(thirdFrameStart, damage.Offset);
        Assert.Equal(thirdFrameLength, damage.Bytes);
        Assert.Equal(2, damage.RecordIndex);
        Assert.Equal(records.Count - 3, damage.RecordsAfter);
        Assert.Equal(
            $"corrupt bytes at record 3 (offset {thirdFrameStart:N0}, {thirdFrameLength:N0} bytes); {records.Count - 3} records after them are kept",
            damage.Describe());

        // Opening it to append keeps a copy of the damaged file, then rewrites it with the good frames only.
        string path = folder.File("records.msgpack");
        File.WriteAllBytes(path, bytes);
        var more = new UnitFailed(9, "later", "train", "appended after the repair");
        using (RecordLog log = RecordLog.OpenForAppend(path, out RecordLogContents existing))
        {
            Assert.Equal(contents.Records, existing.Records);
            Assert.Single(existing.Damage);
            Assert.NotNull(log.DamagedCopy);
            Assert.Equal(bytes, File.ReadAllBytes(log.DamagedCopy));
            // The good frames as they were, then the failure of the unit that lost a record.
            Assert.Equal(bytes.Length - thirdFrameLength + Frames(contents.Records.Skip(records.Count - 1)).Length, new FileInfo(path).Length);
            log.Append(more);
        }

        RecordLogContents after = RecordLog.Read(path);
        Assert.Equal([.. contents.Records, more], after.Records);
        Assert.Empty(after.Damage);
        Assert.Equal(0, after.TornBytes);
    }

    [Fact]
    public void ACorruptLengthPrefixMidLogIsSkippedToTheNextGoodFrame()
    {
        IReadOnlyList<RunRecord> records = SampleRecords.OneOfEach;
        byte[] bytes = Frames(records);
        int secondFrameStart = Frames(records.Take(1)).Length;
        // The length now claims more bytes than the file has: a torn tail would look like this, but good frames follow.
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(secondFrameStart), bytes.Length);

        RecordLogContents contents = RecordLog.Parse(bytes);
        Assert.Equal([records[0], .. records.Skip(2)], contents.Records); // no unit had started where the damage is
        Assert.DoesNotContain((7L, "search"), ExperimentRunner.FinishedUnits(contents.Records)); // its end without its start runs again
        Assert.Equal(0, contents.TornBytes);
        Assert.Equal(secondFrameStart, Assert.Single(contents.Damage).Offset);
    }

    [Fact]
    public void CorruptionAndATornTailAreBothReported()
    {
        IReadOnlyList<RunRecord> records = SampleRecords.OneOfEach;
        byte[] whole = Frames(records);
        int lastFrameStart = Frames(records.Take(records.Count - 1)).Length;
        byte[] bytes = whole[..(lastFrameStart + 5)];
        bytes[RecordLog.FrameHeaderBytes + 1] ^= 0x01; // inside the first record's payload

        RecordLogContents contents = RecordLog.Parse(bytes);
        Assert.Equal(records.Skip(1).Take(records.Count - 2), contents.Records);
        Assert.Equal(5, contents.TornBytes);
        Assert.Equal(lastFrameStart, contents.ValidBytes);
        RecordLogDamage damage = Assert.Single(contents.Damage);
        Assert.Equal((0L, 0), (damage.Offset, damage.RecordIndex));
    }

    [Theory]
    [InlineData(new byte[] { 0xC1 })] // a byte MessagePack never uses
    [InlineData(new byte[] { 0x05 })] // a valid MessagePack integer, not a record
    [InlineData(new byte[] { 0x92, 0x63, 0xC0 })] // a union array with an unknown case
    public void AFrameWithAValidChecksumThatIsNotARecordIsCorruption(byte[] payload)
    {
        byte[] good = Frames(SampleRecords.OneOfEach.Take(2));
        byte[] bad = new byte[RecordLog.FrameHeaderBytes + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(bad, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bad.AsSpan(4), Crc32.Compute(payload));
        payload.CopyTo(bad, RecordLog.FrameHeaderBytes);

        RecordLogContents contents = RecordLog.Parse((byte[])[.. good, .. bad, .. Frames(SampleRecords.OneOfEach.Skip(2))]);
        Assert.Equal(SampleRecords.OneOfEach, contents.Records.Take(SampleRecords.OneOfEach.Count));
        Assert.Equal((7L, "search"), Assert.IsType<UnitFailed>(contents.Records[^1]) is var f ? (f.Seed, f.Label) : default);
        RecordLogDamage damage = Assert.Single(contents.Damage);
        Assert.Equal((good.Length, bad.Length, 2), (damage.Offset, damage.Bytes, damage.RecordIndex));
    }

    [Fact]
    public void AHugeLengthPrefixIsCorruptionNotAnAllocation()
    {
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0, 1, 2, 3];
        RecordLogContents contents = RecordLog.Parse(bytes);
        Assert.Empty(contents.Records);
        Assert.Equal(0, contents.TornBytes);
        Assert.Equal(bytes.Length, contents.DamagedBytes);
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
