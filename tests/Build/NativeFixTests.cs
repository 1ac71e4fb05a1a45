using System.Buffers.Binary;
using System.Diagnostics;

namespace Reasoning.Tests.Build;

/// <summary>
/// The build-time TorchSharp native fix (build/WeakenElfVersionNeed.cs, run by build/TorchSharpNativeFix.targets):
/// the output copy of libLibTorchSharp.so is weakened only where needed, the NuGet cache is never touched,
/// WeakenNeed changes exactly two bytes, and the ELF reader rejects malformed input with InvalidDataException.
/// </summary>
public sealed class NativeFixTests : IDisposable
{
    private const string Library = "libstdc++.so.6";
    private const string Version = "GLIBCXX_3.4.32";
    private const string NativeSuffix = "runtimes/linux-x64/native/libLibTorchSharp.so";

    private string? _temporaryFolder;

    public void Dispose()
    {
        if (_temporaryFolder != null && Directory.Exists(_temporaryFolder))
        {
            Directory.Delete(_temporaryFolder, recursive: true);
        }
    }

    // 1. The build output copy is weak exactly when the system libstdc++ lacks the version.
    [Fact]
    public void OutputCopy_IsWeakExactlyWhenSystemLibstdcxxLacksTheVersion()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string output = OutputCopy();
        ElfVersionNeed need = Single32(ElfVersions.ReadNeeds(File.ReadAllBytes(output)));

        string? system = ElfVersions.FindSystemLibrary(Library);
        Assert.NotNull(system);
        bool systemDefines = ElfVersions.ReadDefinitions(File.ReadAllBytes(system!)).Contains(Version);

        Assert.True(need.IsWeak == !systemDefines,
            $"{output}: {Version} weak = {need.IsWeak}, but {system} defines it = {systemDefines}");
    }

    // 2. The NuGet package cache copy is never patched.
    [Fact]
    public void PackageCacheCopy_IsNotWeak()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        List<string> cached = CacheCopies();
        if (cached.Count == 0)
        {
            return;
        }

        foreach (string path in cached)
        {
            ElfVersionNeed need = Single32(ElfVersions.ReadNeeds(File.ReadAllBytes(path)));
            Assert.False(need.IsWeak, $"{path} (NuGet cache) has {Version} marked weak: the cache was written to.");
        }
    }

    // 3. WeakenNeed: patches two bytes, is idempotent, ignores versions not listed.
    [Fact]
    public void WeakenNeed_PatchesOnlyTheFlagBytes_ThenIsIdempotent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string path = Path.Combine(TemporaryFolder(), "libLibTorchSharp.so");
        File.WriteAllBytes(path, UnweakenedLibrary());
        byte[] before = File.ReadAllBytes(path);
        List<ElfVersionNeed> needsBefore = ElfVersions.ReadNeeds(before);
        ElfVersionNeed target = Single32(needsBefore);
        Assert.False(target.IsWeak);

        Assert.Equal("patched", ElfVersions.WeakenNeed(path, Library, Version));

        byte[] after = File.ReadAllBytes(path);
        Assert.Equal(before.Length, after.Length);
        List<ElfVersionNeed> needsAfter = ElfVersions.ReadNeeds(after);
        Assert.Equal(needsBefore.Count, needsAfter.Count);
        for (int i = 0; i < needsBefore.Count; i++)
        {
            ElfVersionNeed b = needsBefore[i];
            ElfVersionNeed a = needsAfter[i];
            Assert.Equal((b.Library, b.Version, b.FlagsOffset), (a.Library, a.Version, a.FlagsOffset));
            if (b.FlagsOffset == target.FlagsOffset)
            {
                Assert.True(a.IsWeak);
                Assert.Equal((ushort)(b.Flags | ElfVersions.WeakFlag), a.Flags);
            }
            else
            {
                Assert.Equal(b.Flags, a.Flags);
            }
        }

        var changed = new List<long>();
        for (long i = 0; i < before.Length; i++)
        {
            if (before[i] != after[i])
            {
                changed.Add(i);
            }
        }

        Assert.All(changed, i => Assert.True(i == target.FlagsOffset || i == target.FlagsOffset + 1,
            $"byte {i} changed; only {target.FlagsOffset} and {target.FlagsOffset + 1} may"));

        Assert.Equal("already weak", ElfVersions.WeakenNeed(path, Library, Version));
        Assert.Equal(after, File.ReadAllBytes(path));

        Assert.Equal("not needed", ElfVersions.WeakenNeed(path, Library, "GLIBCXX_9.9.99"));
        Assert.Equal("not needed", ElfVersions.WeakenNeed(path, "libnothere.so.1", Version));
        Assert.Equal(after, File.ReadAllBytes(path));

        Assert.Single(Directory.GetFiles(TemporaryFolder()));
    }

    // 3. WeakenNeed through a hard link leaves the other name (e.g. the NuGet cache) as it was.
    [Fact]
    public void WeakenNeed_OnHardLink_LeavesTheOriginalUnchanged()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string folder = TemporaryFolder();
        string original = Path.Combine(folder, "original.so");
        string link = Path.Combine(folder, "link.so");
        byte[] bytes = UnweakenedLibrary();
        File.WriteAllBytes(original, bytes);
        if (!TryHardLink(original, link))
        {
            return;
        }

        Assert.Equal("patched", ElfVersions.WeakenNeed(link, Library, Version));

        Assert.Equal(bytes, File.ReadAllBytes(original));
        Assert.False(Single32(ElfVersions.ReadNeeds(File.ReadAllBytes(original))).IsWeak);
        Assert.True(Single32(ElfVersions.ReadNeeds(File.ReadAllBytes(link))).IsWeak);
    }

    // 4. Malformed input always surfaces as InvalidDataException.
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 63)]
    [InlineData(3, 64)]
    [InlineData(4, 4096)]
    [InlineData(5, 100_000)]
    public void ReadNeeds_OnRandomBytes_ThrowsInvalidData(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadNeeds(bytes));
    }

    [Theory]
    [InlineData(10, 64)]
    [InlineData(11, 128)]
    [InlineData(12, 4096)]
    [InlineData(13, 65_536)]
    public void ReadNeeds_OnRandomBytesWithElf64Ident_ThrowsInvalidData(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        byte[] ident = { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1 };
        ident.CopyTo(bytes, 0);
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadNeeds(bytes));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(4096)]
    public void ReadNeeds_OnTruncatedLibrary_ThrowsInvalidData(int length)
    {
        byte[]? real = RealLibrary();
        if (real == null)
        {
            return;
        }

        byte[] truncated = real[..length];
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadNeeds(truncated));
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadDefinitions(truncated));
    }

    /// <summary>e_shoff (the section header table's offset) points past the end, including values near long.MaxValue.</summary>
    [Theory]
    [InlineData(0UL)] // replaced by the file's length
    [InlineData(1UL)] // replaced by the file's length + 1
    [InlineData(2UL)] // replaced so that the e_shstrndx entry starts at long.MaxValue - 3
    [InlineData(0xFFFF_FFFFUL)]
    [InlineData(0x7FFF_FFFF_FFFF_FFC0UL)]
    [InlineData(0x7FFF_FFFF_FFFF_FFFCUL)]
    [InlineData(0x8000_0000_0000_0000UL)]
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL)]
    public void ReadNeeds_OnSectionTableBeyondTheEnd_ThrowsInvalidData(ulong sectionTableOffset)
    {
        byte[]? real = RealLibrary();
        if (real == null)
        {
            return;
        }

        byte[] elf = (byte[])real.Clone();
        ulong offset = sectionTableOffset switch
        {
            0 => (ulong)elf.Length,
            1 => (ulong)elf.Length + 1,
            2 => (ulong)(long.MaxValue - 3 - (long)BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3E))
                * BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A))),
            _ => sectionTableOffset,
        };
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x28), offset);
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadNeeds(elf));

        // The bare 64-byte header claiming the same table.
        byte[] header = elf[..64];
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadNeeds(header));
    }

    /// <summary>The .gnu.version_r section header's sh_offset points past the end.</summary>
    [Theory]
    [InlineData(0UL)] // replaced by the file's length
    [InlineData(1UL)] // replaced by the file's length - 8 (the section straddles the end)
    [InlineData(0xFFFF_FFFFUL)]
    [InlineData(0x7FFF_FFFF_FFFF_FFFDUL)]
    [InlineData(0x7FFF_FFFF_FFFF_FFFFUL)]
    [InlineData(0xFFFF_FFFF_FFFF_FFF0UL)]
    public void ReadNeeds_OnVersionNeedSectionBeyondTheEnd_ThrowsInvalidData(ulong sectionOffset)
    {
        byte[]? real = RealLibrary();
        if (real == null)
        {
            return;
        }

        byte[] elf = (byte[])real.Clone();
        long header = SectionHeaderOf(elf, 0x6ffffffe);
        ulong offset = sectionOffset switch
        {
            0 => (ulong)elf.Length,
            1 => (ulong)elf.Length - 8,
            _ => sectionOffset,
        };
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan((int)header + 0x18), offset);
        Assert.Throws<InvalidDataException>(() => ElfVersions.ReadNeeds(elf));
    }

    // 5. The definitions reader works on the system libstdc++.
    [Fact]
    public void ReadDefinitions_OnSystemLibstdcxx_ListsOldGlibcxxVersions()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string? system = ElfVersions.FindSystemLibrary(Library);
        Assert.NotNull(system);
        HashSet<string> definitions = ElfVersions.ReadDefinitions(File.ReadAllBytes(system!));
        Assert.Contains("GLIBCXX_3.4", definitions);
        Assert.Contains("GLIBCXX_3.4.9", definitions);
        Assert.Contains("GLIBCXX_3.4.30", definitions);
        Assert.Contains("CXXABI_1.3", definitions);
    }

    private static ElfVersionNeed Single32(List<ElfVersionNeed> needs) =>
        Assert.Single(needs, n => n.Library == Library && n.Version == Version);

    private static string OutputCopy()
    {
        string? found = FindOutputCopy();
        Assert.True(found != null, $"no {NativeSuffix} under {AppContext.BaseDirectory}");
        return found!;
    }

    private static string? FindOutputCopy() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories)
            .FirstOrDefault(p => p.Replace('\\', '/').EndsWith(NativeSuffix, StringComparison.Ordinal));

    /// <summary>A real libLibTorchSharp.so, or null if the output has none (non-Linux build).</summary>
    private static byte[]? RealLibrary()
    {
        string? path = FindOutputCopy();
        return path == null ? null : File.ReadAllBytes(path);
    }

    /// <summary>The TorchSharp package's libLibTorchSharp.so in the NuGet cache, for the referenced version if present.</summary>
    private static List<string> CacheCopies()
    {
        string? root = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        string package = Path.Combine(root, "torchsharp");
        if (!Directory.Exists(package))
        {
            return new List<string>();
        }

        List<string> copies = Directory.GetDirectories(package)
            .Select(v => Path.Combine(v, NativeSuffix))
            .Where(File.Exists)
            .ToList();
        System.Version? referenced = typeof(TorchSharp.torch).Assembly.GetName().Version;
        if (referenced != null)
        {
            string wanted = $"{referenced.Major}.{referenced.Minor}.{referenced.Build}";
            List<string> matching = copies.Where(c => VersionFolder(c) == wanted)
                .ToList();
            if (matching.Count > 0)
            {
                return matching;
            }
        }

        return copies;
    }

    private static string VersionFolder(string copy)
    {
        string versionDir = copy[..^NativeSuffix.Length].TrimEnd('/', '\\');
        return Path.GetFileName(versionDir);
    }

    /// <summary>Cache copy bytes if present, else the output copy with the weak flag cleared.</summary>
    private static byte[] UnweakenedLibrary()
    {
        string? cache = CacheCopies().FirstOrDefault();
        byte[] bytes = File.ReadAllBytes(cache ?? OutputCopy());
        ElfVersionNeed need = Single32(ElfVersions.ReadNeeds(bytes));
        ushort flags = (ushort)(need.Flags & ~ElfVersions.WeakFlag);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan((int)need.FlagsOffset), flags);
        return bytes;
    }

    /// <summary>File offset of the first section header of the given type.</summary>
    private static long SectionHeaderOf(byte[] elf, uint type)
    {
        long table = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        ushort entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A));
        ushort count = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        for (int i = 0; i < count; i++)
        {
            long at = table + (long)i * entrySize;
            if (BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan((int)at + 4)) == type)
            {
                return at;
            }
        }

        throw new InvalidOperationException($"no section of type 0x{type:x}");
    }

    private string TemporaryFolder()
    {
        if (_temporaryFolder == null)
        {
            _temporaryFolder = Path.Combine(Path.GetTempPath(), "NativeFixTests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_temporaryFolder);
        }

        return _temporaryFolder;
    }

    private static bool TryHardLink(string target, string link)
    {
        try
        {
            var start = new ProcessStartInfo("ln") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(target);
            start.ArgumentList.Add(link);
            using Process? process = Process.Start(start);
            if (process == null)
            {
                return false;
            }

            process.WaitForExit(5000);
            return process.HasExited && process.ExitCode == 0 && File.Exists(link);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
