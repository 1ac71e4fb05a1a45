namespace Reasoning.Policy.Pretrained;

/// <summary>
/// A Hugging Face model folder cannot be used: a file is missing, truncated or malformed, a key holds a value this
/// build does not support, or a tensor has the wrong name, shape or dtype. The message names the file and the key or
/// tensor; nothing is loaded when this is thrown.
/// </summary>
public sealed class ModelFolderException : Exception
{
    /// <summary>The file (or folder) the problem is in.</summary>
    public string FilePath { get; }

    public ModelFolderException(string filePath, string detail)
        : base($"{filePath}: {detail}")
    {
        FilePath = filePath;
    }
}
