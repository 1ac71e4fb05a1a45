namespace Reasoning.Policy.Tokenization;

/// <summary>
/// A tokenizer.json <c>normalizer</c>. Hugging Face applies it to each piece of text between added
/// tokens separately, so a <see cref="PrependNormalizer"/> prepends to every such piece.
/// </summary>
internal abstract class TextNormalizer
{
    public abstract string Normalize(string text);
}

/// <summary><c>Sequence</c>: each normalizer in turn.</summary>
internal sealed class SequenceNormalizer(IReadOnlyList<TextNormalizer> steps) : TextNormalizer
{
    public override string Normalize(string text)
    {
        foreach (var step in steps)
        {
            text = step.Normalize(text);
        }

        return text;
    }
}

/// <summary><c>NFC</c> (Qwen) or <c>NFD</c>.</summary>
internal sealed class UnicodeFormNormalizer(bool compose) : TextNormalizer
{
    public override string Normalize(string text) =>
        compose ? UnicodeNormalization.ToNfc(text) : UnicodeNormalization.ToNfd(text);
}

/// <summary><c>Prepend</c>: puts a prefix before non-empty text (Llama 2's "▁").</summary>
internal sealed class PrependNormalizer(string prefix) : TextNormalizer
{
    public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}

/// <summary><c>Replace</c> with a literal pattern (Llama 2: every space becomes "▁").</summary>
internal sealed class ReplaceNormalizer(string pattern, string content) : TextNormalizer
{
    public override string Normalize(string text) => text.Replace(pattern, content, StringComparison.Ordinal);
}
