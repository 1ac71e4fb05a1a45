namespace Reasoning.Policy.Tokenization;

/// <summary>
/// A Hugging Face tokenizer folder could not be loaded: a file is missing or is not JSON, a key is
/// missing or has the wrong type, or it asks for something this tokenizer does not implement. The
/// message names the file and the key or the problem.
/// </summary>
public sealed class HfTokenizerException : Exception
{
    /// <summary>The file at fault (tokenizer.json, tokenizer_config.json or generation_config.json), or the folder.</summary>
    public string FilePath { get; }

    /// <param name="filePath">The file at fault.</param>
    /// <param name="detail">What is wrong, naming the key where there is one.</param>
    /// <param name="inner">The exception that revealed it, if any.</param>
    public HfTokenizerException(string filePath, string detail, Exception? inner = null)
        : base($"{filePath}: {detail}", inner)
    {
        FilePath = filePath;
    }
}
