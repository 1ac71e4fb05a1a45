// Build-time fix that lets TorchSharp's native library load on Debian 12 and Ubuntu 22.04.
//
// libLibTorchSharp.so (built with GCC 13) lists GLIBCXX_3.4.32 among the versions it needs from
// libstdc++.so.6. The only symbol tied to that version is _ZSt21ios_base_library_initv, which
// GCC 13's <iostream> references merely to force a new enough libstdc++; no relocation uses it.
// Marking that one Elf64_Vernaux entry VER_FLG_WEAK makes the dynamic loader treat a missing
// version as a warning instead of an error. See shared notes on TorchSharp for the analysis.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory as an inline task (the class
// WeakenElfVersionNeed), and by the test project (with ELF_PATCH_NO_MSBUILD) to test the reader.
// It must stay within the netstandard2.0 API surface that inline tasks compile against.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

/// <summary>One entry of an ELF file's version-needs table (.gnu.version_r).</summary>
public sealed class ElfVersionNeed
{
    public ElfVersionNeed(string library, string version, ushort flags, long flagsOffset)
    {
        Library = library;
        Version = version;
        Flags = flags;
        FlagsOffset = flagsOffset;
    }

    /// <summary>The needed library, e.g. libstdc++.so.6.</summary>
    public string Library { get; }

    /// <summary>The needed version, e.g. GLIBCXX_3.4.32.</summary>
    public string Version { get; }

    /// <summary>vna_flags: 0x2 (VER_FLG_WEAK) makes a missing version non-fatal.</summary>
    public ushort Flags { get; }

    /// <summary>File offset of the two-byte vna_flags field.</summary>
    public long FlagsOffset { get; }

    public bool IsWeak => (Flags & ElfVersions.WeakFlag) != 0;
}

/// <summary>Reads the version tables of little-endian ELF64 files by walking their structures.</summary>
public static class ElfVersions
{
    /// <summary>VER_FLG_WEAK from elf.h.</summary>
    public const ushort WeakFlag = 0x2;

    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Every (library, version) pair the file needs, with the offset of its flags field.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed little-endian ELF64 file.</exception>
    public static List<ElfVersionNeed> ReadNeeds(byte[] elf)
    {
        var result = new List<ElfVersionNeed>();
        Section? verneed = FindSection(elf, ".gnu.version_r", ShtGnuVerneed);
        if (verneed == null)
        {
            return result;
        }

        Section strings = SectionAt(elf, verneed.Link);
        long need = verneed.Offset;
        for (uint i = 0; i < verneed.Info; i++)
        {
            // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
            Check(elf, need, 16);
            ushort count = U16(elf, need + 2);
            string library = CString(elf, strings, U32(elf, need + 4));
            long aux = need + U32(elf, need + 8);
            for (int j = 0; j < count; j++)
            {
                // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                Check(elf, aux, 16);
                string version = CString(elf, strings, U32(elf, aux + 8));
                result.Add(new ElfVersionNeed(library, version, U16(elf, aux + 4), aux + 4));
                uint nextAux = U32(elf, aux + 12);
                if (nextAux == 0)
                {
                    break;
                }

                aux += nextAux;
            }

            uint next = U32(elf, need + 12);
            if (next == 0)
            {
                break;
            }

            need += next;
        }

        return result;
    }

    /// <summary>Every version the file defines (.gnu.version_d), e.g. GLIBCXX_3.4.30 for libstdc++.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed little-endian ELF64 file.</exception>
    public static HashSet<string> ReadDefinitions(byte[] elf)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        Section? verdef = FindSection(elf, ".gnu.version_d", ShtGnuVerdef);
        if (verdef == null)
        {
            return result;
        }

        Section strings = SectionAt(elf, verdef.Link);
        long def = verdef.Offset;
        for (uint i = 0; i < verdef.Info; i++)
        {
            // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32.
            Check(elf, def, 20);
            long aux = def + U32(elf, def + 12);
            Check(elf, aux, 8);
            result.Add(CString(elf, strings, U32(elf, aux)));
            uint next = U32(elf, def + 16);
            if (next == 0)
            {
                break;
            }

            def += next;
        }

        return result;
    }

    private sealed class Section
    {
        public Section(uint name, uint type, long offset, long size, uint link, uint info)
        {
            Name = name;
            Type = type;
            Offset = offset;
            Size = size;
            Link = link;
            Info = info;
        }

        public uint Name { get; }
        public uint Type { get; }
        public long Offset { get; }
        public long Size { get; }
        public uint Link { get; }
        public uint Info { get; }
    }

    private static Section? FindSection(byte[] elf, string name, uint type)
    {
        CheckHeader(elf);
        ushort count = U16(elf, 0x3C);
        Section names = SectionAt(elf, U16(elf, 0x3E));
        for (uint i = 0; i < count; i++)
        {
            Section s = SectionAt(elf, i);
            if (s.Type == type && CString(elf, names, s.Name) == name)
            {
                return s;
            }
        }

        return null;
    }

    private static void CheckHeader(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a little-endian 64-bit ELF file");
        }
    }

    private static Section SectionAt(byte[] elf, uint index)
    {
        long table = (long)U64(elf, 0x28);
        ushort entrySize = U16(elf, 0x3A);
        ushort count = U16(elf, 0x3C);
        if (index >= count || entrySize < 64)
        {
            throw new InvalidDataException("section index " + index + " is outside the section header table");
        }

        long at = table + index * (long)entrySize;
        Check(elf, at, 64);
        var section = new Section(
            U32(elf, at), U32(elf, at + 4), (long)U64(elf, at + 0x18), (long)U64(elf, at + 0x20), U32(elf, at + 0x28), U32(elf, at + 0x2C));
        Check(elf, section.Offset, section.Type == 8 /* SHT_NOBITS */ ? 0 : section.Size);
        return section;
    }

    private static string CString(byte[] elf, Section strings, uint offset)
    {
        long start = strings.Offset + offset;
        long end = start;
        long limit = strings.Offset + strings.Size;
        while (end < limit && elf[end] != 0)
        {
            end++;
        }

        if (offset >= strings.Size || end >= limit)
        {
            throw new InvalidDataException("string offset " + offset + " runs outside its string table");
        }

        return Encoding.ASCII.GetString(elf, (int)start, (int)(end - start));
    }

    private static void Check(byte[] elf, long at, long length)
    {
        if (at < 0 || length < 0 || length > elf.Length || at > elf.Length - length)
        {
            throw new InvalidDataException("a structure at offset " + at + " runs past the end of the file");
        }
    }

    private static ushort U16(byte[] b, long at)
    {
        Check(b, at, 2);
        return (ushort)(b[at] | (b[at + 1] << 8));
    }

    private static uint U32(byte[] b, long at)
    {
        Check(b, at, 4);
        return (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));
    }

    private static ulong U64(byte[] b, long at) => U32(b, at) | ((ulong)U32(b, at + 4) << 32);

    /// <summary>
    /// Sets VER_FLG_WEAK on the needed (library, version) entry of the file at <paramref name="path"/>.
    /// Writes a copy and renames it over the old one, so a hard link into a package cache is never
    /// written through. Keeps the file's timestamp so incremental copies see it as unchanged.
    /// </summary>
    /// <returns>"patched", "already weak", or "not needed" (the file does not list that version).</returns>
    public static string WeakenNeed(string path, string library, string version)
    {
        byte[] bytes = File.ReadAllBytes(path);
        ElfVersionNeed? entry = null;
        foreach (ElfVersionNeed need in ReadNeeds(bytes))
        {
            if (need.Library == library && need.Version == version)
            {
                entry = need;
            }
        }

        if (entry == null)
        {
            return "not needed";
        }

        if (entry.IsWeak)
        {
            return "already weak";
        }

        // Copy (keeping the permission bits), change the two bytes in the copy, rename it over the original.
        ushort flags = (ushort)(entry.Flags | WeakFlag);
        DateTime stamp = File.GetLastWriteTimeUtc(path);
        string temporary = path + ".weaken-" + Guid.NewGuid().ToString("N");
        File.Copy(path, temporary);
        using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
        {
            stream.Position = entry.FlagsOffset;
            stream.WriteByte((byte)(flags & 0xFF));
            stream.WriteByte((byte)(flags >> 8));
        }

        File.SetLastWriteTimeUtc(temporary, stamp);
        File.Delete(path);
        File.Move(temporary, path);
        return "patched";
    }

    /// <summary>Where the dynamic loader looks for a library, in order: LD_LIBRARY_PATH, then the usual system folders.</summary>
    public static string? FindSystemLibrary(string library)
    {
        var folders = new List<string>();
        string? ldPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (!string.IsNullOrEmpty(ldPath))
        {
            folders.AddRange(ldPath!.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries));
        }

        folders.AddRange(new[]
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib64", "/usr/lib64", "/lib", "/usr/lib",
        });
        foreach (string folder in folders)
        {
            string candidate = Path.Combine(folder, library);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

#if !ELF_PATCH_NO_MSBUILD
/// <summary>
/// MSBuild task: for each file, when the system's copy of <see cref="Library"/> lacks
/// <see cref="Version"/>, mark that version need weak. Idempotent; says in the build log what it did.
/// </summary>
public sealed class WeakenElfVersionNeed : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    [Microsoft.Build.Framework.Required]
    public string Library { get; set; } = "";

    [Microsoft.Build.Framework.Required]
    public string Version { get; set; } = "";

    /// <summary>A folder the task must never write into (the NuGet package cache).</summary>
    public string PackageCache { get; set; } = "";

    public override bool Execute()
    {
        if (Files.Length == 0)
        {
            return true;
        }

        const Microsoft.Build.Framework.MessageImportance High = Microsoft.Build.Framework.MessageImportance.High;
        string? system = ElfVersions.FindSystemLibrary(Library);
        if (system != null)
        {
            try
            {
                if (ElfVersions.ReadDefinitions(File.ReadAllBytes(system)).Contains(Version))
                {
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        "TorchSharp native fix: " + system + " provides " + Version + "; nothing to do.");
                    return true;
                }
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogMessage(High, "TorchSharp native fix: could not read " + system + " (" + e.Message + "); patching to be safe.");
            }
        }

        foreach (Microsoft.Build.Framework.ITaskItem item in Files)
        {
            string path = Path.GetFullPath(item.ItemSpec);
            if (PackageCache.Length > 0 && path.StartsWith(Path.GetFullPath(PackageCache), StringComparison.Ordinal))
            {
                Log.LogError("TorchSharp native fix: refusing to modify " + path + " inside the NuGet package cache.");
                return false;
            }

            try
            {
                string outcome = ElfVersions.WeakenNeed(path, Library, Version);
                Log.LogMessage(outcome == "patched" ? High : Microsoft.Build.Framework.MessageImportance.Normal,
                    "TorchSharp native fix: " + path + ": " + Version + " from " + Library + " " + outcome
                    + (outcome == "patched" ? " (marked weak: the system " + Library + " lacks it)." : "."));
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogError("TorchSharp native fix: cannot patch " + path + ": " + e.Message);
                return false;
            }
        }

        return true;
    }
}
#endif
