using System.Text;

namespace Reasoning.Core.Storage;

/// <summary>
/// Writes a whole file so that readers see either the old contents or the new, never half a file:
/// the bytes go to a temporary file in the same folder (same file system, so the rename is atomic),
/// are flushed to disk, and the temporary file is renamed over the target.
/// </summary>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Utf8NoBom.GetBytes(text));

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Replace(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            stream.Write(copy);
            stream.Flush(flushToDisk: true);
        });
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> puts in the temporary file whose path it
    /// is given (for writers that want a path, such as a module's <c>save</c>); the temporary file is removed if
    /// writing fails.
    /// </summary>
    public static void Replace(string path, Action<string> write)
    {
        string fullPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{path}' has no folder.", nameof(path));
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temporary);
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
