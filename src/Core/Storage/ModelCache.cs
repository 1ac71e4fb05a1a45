namespace Reasoning.Core.Storage;

/// <summary>
/// The folder of models shared by every unit of work under an experiment's output (fine-tuned base policies, reward
/// models), one entry per hash of everything that determines it. An entry is a file or a folder; it becomes visible
/// to other units only when the unit that wrote it has committed: the runner appends the unit's records (which name
/// the entries it wrote), then calls <see cref="Commit()"/>, which writes a marker beside each entry
/// (<c>&lt;entry&gt;.committed</c>). An entry without its marker (a unit killed after saving a model and before its
/// records) is treated as absent and made again, never half-trusted; a unit sees its own writes at once.
/// <para>
/// A store writing an entry calls <see cref="BeginWrite"/> first (it withdraws the entry's marker, so a reader never
/// trusts a replacement half written) and reads only entries for which <see cref="IsVisible"/> is true.
/// </para>
/// </summary>
public sealed class ModelCache
{
    /// <summary>The suffix of an entry's commit marker.</summary>
    public const string CommitSuffix = ".committed";

    private readonly List<string> _written = [];
    private readonly Lock _gate = new();

    /// <param name="folder">The cache folder (created when first written).</param>
    /// <param name="writer">Who writes here, for the markers (e.g. the run and unit); free text.</param>
    public ModelCache(string folder, string writer = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
        Writer = writer;
    }

    /// <summary>The cache folder.</summary>
    public string Folder { get; }

    /// <summary>Who writes through this instance.</summary>
    public string Writer { get; }

    /// <summary>Entries written through this instance and not yet committed, relative to <see cref="Folder"/>, in order.</summary>
    public IReadOnlyList<string> Written
    {
        get
        {
            lock (_gate)
            {
                return [.. _written];
            }
        }
    }

    /// <summary>Whether the entry at <paramref name="path"/> may be read: it was committed, or this instance wrote it.</summary>
    public bool IsVisible(string path)
    {
        string full = Path.GetFullPath(path);
        lock (_gate)
        {
            if (_written.Contains(Path.GetRelativePath(Folder, full), StringComparer.Ordinal))
            {
                return Exists(full);
            }
        }

        return Exists(full) && File.Exists(full + CommitSuffix);
    }

    /// <summary>
    /// Call before writing the entry at <paramref name="path"/> (under <see cref="Folder"/>): withdraws its marker and
    /// notes it as written, to be committed with the unit.
    /// </summary>
    /// <exception cref="ArgumentException">The path is not inside the cache folder.</exception>
    public void BeginWrite(string path)
    {
        string relative = RelativeEntry(path);
        string marker = Path.Combine(Folder, relative) + CommitSuffix;
        if (File.Exists(marker))
        {
            File.Delete(marker);
        }

        lock (_gate)
        {
            if (!_written.Contains(relative, StringComparer.Ordinal))
            {
                _written.Add(relative);
            }
        }
    }

    /// <summary>Commits every entry written through this instance (see <see cref="Commit(string, IEnumerable{string}, string)"/>).</summary>
    public void Commit()
    {
        IReadOnlyList<string> written = Written;
        Commit(Folder, written, Writer);
        lock (_gate)
        {
            _written.RemoveAll(written.Contains);
        }
    }

    /// <summary>
    /// Writes the marker of each entry (relative to <paramref name="folder"/>) that exists and has none. Idempotent: the
    /// runner calls it again at start-up for the entries of units whose records were committed, in case it was killed
    /// between the records and the markers.
    /// </summary>
    public static void Commit(string folder, IEnumerable<string> entries, string writer)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (string entry in entries)
        {
            string full = Path.GetFullPath(Path.Combine(folder, entry));
            if (Exists(full) && !File.Exists(full + CommitSuffix))
            {
                AtomicFile.WriteAllText(full + CommitSuffix, writer + "\n");
            }
        }
    }

    private string RelativeEntry(string path)
    {
        string relative = Path.GetRelativePath(Folder, Path.GetFullPath(path));
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            throw new ArgumentException($"'{path}' is not inside the cache folder {Folder}.", nameof(path));
        }

        return relative;
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);
}
