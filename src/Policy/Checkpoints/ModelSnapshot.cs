using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Policy.Checkpoints;

/// <summary>
/// Saves a trained model in the form its kind is read back from: a built-in model (character tokenizer) as a
/// <see cref="Checkpoint"/> file, a pretrained one as a Hugging Face model folder (<see cref="ModelFolder.Save"/>,
/// with the tokenizer and generation files of the folder it came from), which the same loader, and transformers, read.
/// </summary>
public static class ModelSnapshot
{
    /// <summary>Saves <paramref name="model"/>; returns the file or folder written.</summary>
    /// <param name="path">The checkpoint file for a built-in model; a pretrained model goes to a folder beside it named after it, without the extension.</param>
    public static string Save(string path, Transformer model, ITokenizer tokenizer)
    {
        switch (tokenizer)
        {
            case CharTokenizer characters:
                Checkpoint.Save(path, model, characters);
                return path;
            case PretrainedTokenizer pretrained:
                string folder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path));
                ModelFolder.Save(folder, model, pretrained.SourceFolder);
                return folder;
            default:
                throw new NotSupportedException($"a model with a {tokenizer.GetType().Name} cannot be saved");
        }
    }
}
