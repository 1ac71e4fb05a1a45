namespace Reasoning.Policy.Tokenization;

/// <summary>What the newest token of a generated row ends.</summary>
public enum TokenStop
{
    /// <summary>Nothing: the row goes on.</summary>
    None,

    /// <summary>A step (a line, a paragraph): a step-level search stops here.</summary>
    EndOfStep,

    /// <summary>The whole solution: every row stops here.</summary>
    EndOfAnswer,
}

/// <summary>
/// The text side of a policy: how a question becomes the prompt it reads, how written text becomes ids and back, and
/// which generated token ends a step or the solution. Two kinds exist: <see cref="CharTokenizer"/> (the built-in
/// models on the synthetic tasks: one id per character, and line ends that are themselves the stop tokens) and
/// <see cref="PretrainedTokenizer"/> (a Hugging Face tokenizer.json with a prompt format; steps end at the solution
/// format's separator, the solution at an end-of-sequence id). Implementations are immutable and thread-safe;
/// <see cref="Decode"/> and <see cref="StopAfter"/> never throw on model output.
/// </summary>
public interface ITokenizer
{
    /// <summary>Ids are 0..VocabularySize-1 (the model's embedding may be larger, never smaller).</summary>
    int VocabularySize { get; }

    /// <summary>The ids of a question as the policy reads it before it writes: the prompt format and any begin token applied.</summary>
    List<int> EncodePrompt(string question);

    /// <summary>Text written after the prompt (steps, an answer), as ids the policy could have written; no begin token.</summary>
    /// <exception cref="ArgumentException">The text cannot be encoded (a character outside a character tokenizer's alphabet).</exception>
    List<int> Encode(string text);

    /// <summary>Ids that follow a finished solution's text, so fine-tuning teaches the policy to stop (an end-of-sequence id; none where the text's own last token stops it).</summary>
    IReadOnlyList<int> EndOfCompletion { get; }

    /// <summary>Text of ids; unknown ids become U+FFFD, special tokens that only mark structure vanish. Never throws.</summary>
    string Decode(IEnumerable<int> ids);

    /// <summary>Whether the last of <paramref name="generated"/> (a row's tokens so far, after its prompt) ends a step or the solution.</summary>
    TokenStop StopAfter(IReadOnlyList<int> generated);
}

/// <summary>Conveniences over <see cref="ITokenizer"/>.</summary>
public static class TokenizerExtensions
{
    /// <summary>A question and the steps written after it so far, as the policy reads them before it writes the next step.</summary>
    public static List<int> EncodePrefix(this ITokenizer tokenizer, string question, Core.Solutions.ISolutionFormat format, IEnumerable<string> steps)
    {
        List<int> ids = tokenizer.EncodePrompt(question);
        string written = format.RenderSteps(steps);
        if (written.Length > 0)
        {
            ids.AddRange(tokenizer.Encode(written));
        }

        return ids;
    }
}
