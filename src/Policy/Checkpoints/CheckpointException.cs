namespace Reasoning.Policy.Checkpoints;

/// <summary>Which of the three things that can be wrong with a checkpoint file went wrong.</summary>
public enum CheckpointErrorKind
{
    /// <summary>The file is shorter than its preamble or header says: a copy or a write was cut short.</summary>
    Truncated,

    /// <summary>The bytes are not what was written: wrong magic, an unreadable header, or a SHA-256 trailer that does not match.</summary>
    Corrupted,

    /// <summary>The file is intact but does not fit what was asked of it: another config, tokenizer, tensor layout or format version.</summary>
    Mismatched,
}

/// <summary>A checkpoint could not be read; <see cref="Kind"/> says why, the message names the file and the detail.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointErrorKind Kind { get; }

    /// <summary>The checkpoint file, as given to the call that failed.</summary>
    public string FilePath { get; }

    public CheckpointException(CheckpointErrorKind kind, string filePath, string detail)
        : base($"checkpoint {filePath} {Describe(kind)}: {detail}")
    {
        Kind = kind;
        FilePath = filePath;
    }

    internal static CheckpointException Truncated(string filePath, string detail) => new(CheckpointErrorKind.Truncated, filePath, detail);

    internal static CheckpointException Corrupted(string filePath, string detail) => new(CheckpointErrorKind.Corrupted, filePath, detail);

    internal static CheckpointException Mismatched(string filePath, string detail) => new(CheckpointErrorKind.Mismatched, filePath, detail);

    private static string Describe(CheckpointErrorKind kind) => kind switch
    {
        CheckpointErrorKind.Truncated => "is truncated",
        CheckpointErrorKind.Corrupted => "is corrupted",
        _ => "does not match",
    };
}
