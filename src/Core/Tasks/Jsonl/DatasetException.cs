namespace Reasoning.Core.Tasks.Jsonl;

/// <summary>One problem with a dataset file: where it is and what is wrong.</summary>
/// <param name="File">The file, as its path was given.</param>
/// <param name="Line">1-based line; 0 for the file as a whole (it cannot be read, or holds no problems).</param>
/// <param name="Field">The JSON field at fault, when one is.</param>
/// <param name="Message">What is wrong, and what was expected.</param>
public sealed record DatasetError(string File, int Line, string? Field, string Message)
{
    /// <summary><c>data/gsm8k.jsonl:17: field 'answer': expected text, got a number</c>; <c>data/gsm8k.jsonl: holds no problems</c>.</summary>
    public override string ToString() =>
        $"{File}{(Line > 0 ? $":{Line}" : "")}: {(Field is null ? "" : $"field '{Field}': ")}{Message}";
}

/// <summary>A dataset could not be read; <see cref="Errors"/> lists every problem found (up to a limit per file).</summary>
public sealed class DatasetException : Exception
{
    public DatasetException(IReadOnlyList<DatasetError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<DatasetError> Errors { get; }
}
