using System.Globalization;

namespace Reasoning.Experiments.Records;

/// <summary>Another <c>run</c> holds the run folder: nothing was run or written.</summary>
internal sealed class RunFolderBusyException(string folder, string holder)
    : Exception($"{folder} is being run by {holder}; wait for it to finish (or stop it), then run the command again")
{
    public string Holder { get; } = holder;
}

/// <summary>
/// One writer per run folder: <c>run</c> holds <c>run.lock</c> in the folder for the run's life, an OS record lock
/// (<see cref="FileStream.Lock"/>: fcntl on Linux) that the kernel releases when the holding process ends, however it
/// ends, so a lock left by a killed run is simply taken over. The file names its holder (pid, host, start time) for the
/// message a second <c>run</c> stops with. Record locks are per process, so the folders this process holds are also kept
/// in a set: a second runner in the same process is refused too. <c>reproduce</c> and <c>compare</c> read without it.
/// </summary>
internal sealed class RunFolderLock : IDisposable
{
    public const string FileName = "run.lock";

    private static readonly HashSet<string> HeldHere = new(StringComparer.Ordinal);
    private readonly FileStream _stream;
    private readonly string _folder;

    private RunFolderLock(FileStream stream, string folder, string? previousHolder)
    {
        (_stream, _folder, PreviousHolder) = (stream, folder, previousHolder);
    }

    /// <summary>The holder the lock file still named when it was taken (a run that was killed or lost its machine), or null.</summary>
    public string? PreviousHolder { get; }

    /// <summary>Takes the folder's lock, creating the folder; throws <see cref="RunFolderBusyException"/> naming the holder when another run has it.</summary>
    public static RunFolderLock Acquire(string folder)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        lock (HeldHere)
        {
            if (HeldHere.Contains(folder))
            {
                throw new RunFolderBusyException(folder, $"this process (pid {Environment.ProcessId})");
            }

            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            try
            {
                if (!OperatingSystem.IsMacOS())
                {
                    stream.Lock(0, 1); // not supported by .NET on macOS: there only the guard within one process holds
                }
            }
            catch (IOException)
            {
                string holder = ReadHolder(stream);
                stream.Dispose();
                throw new RunFolderBusyException(folder, holder.Length == 0 ? "another process" : holder);
            }

            string previous = ReadHolder(stream);
            stream.SetLength(0);
            using (var writer = new StreamWriter(stream, leaveOpen: true))
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture,
                    $"pid {Environment.ProcessId} on {Environment.MachineName}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\n"));
            }

            stream.Flush(flushToDisk: true);
            HeldHere.Add(folder);
            return new RunFolderLock(stream, folder, previous.Length == 0 ? null : previous);
        }
    }

    /// <summary>Releases the lock. The file is left empty: one that still names a holder was left by a run that did not end this way.</summary>
    public void Dispose()
    {
        lock (HeldHere)
        {
            if (HeldHere.Remove(_folder))
            {
                _stream.SetLength(0);
                _stream.Dispose(); // closing the descriptor releases the record lock
            }
        }
    }

    private static string ReadHolder(FileStream stream)
    {
        try
        {
            stream.Position = 0;
            var buffer = new byte[512];
            int read = stream.Read(buffer, 0, buffer.Length);
            return System.Text.Encoding.UTF8.GetString(buffer, 0, read).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
