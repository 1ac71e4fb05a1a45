namespace Reasoning.Policy.Tokenization;

/// <summary>
/// A pretrained model's text side: a Hugging Face tokenizer, the prompt format questions are put in, and the step
/// separator of the task's solution format. A row stops at the end of the solution on any of the tokenizer's
/// end-of-sequence ids, and at the end of a step once the text it has written (past leading white space) contains
/// the separator (<c>"\n\n"</c> for paragraphs): byte-level BPE may write the separator inside a longer token
/// (<c>".\n\n"</c>), so the check is on text, not on one token id.
/// </summary>
public sealed class PretrainedTokenizer : ITokenizer
{
    private readonly int[] _endIds;

    /// <param name="tokenizer">The model folder's tokenizer.</param>
    /// <param name="prompt">How a question becomes the prompt.</param>
    /// <param name="stepSeparator">What ends a step (the task's <c>ISolutionFormat.StepSeparator</c>).</param>
    /// <param name="sourceFolder">The model folder the tokenizer was read from: its tokenizer files go beside a trained copy's weights.</param>
    /// <exception cref="ArgumentException">The tokenizer names no end-of-sequence token, so no row could ever finish, or the separator is empty.</exception>
    public PretrainedTokenizer(HfTokenizer tokenizer, PromptFormat prompt, string stepSeparator, string? sourceFolder = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stepSeparator);
        Hf = tokenizer;
        Prompt = prompt;
        StepSeparator = stepSeparator;
        SourceFolder = sourceFolder;
        _endIds = tokenizer.EndIds.Order().ToArray();
        if (_endIds.Length == 0 || tokenizer.EndId is null)
        {
            throw new ArgumentException(
                "the tokenizer names no end-of-sequence token (tokenizer_config.json eos_token, generation_config.json eos_token_id), so a generated answer could never end",
                nameof(tokenizer));
        }

        EndOfCompletion = [tokenizer.EndId.Value];
    }

    /// <summary>The Hugging Face tokenizer.</summary>
    public HfTokenizer Hf { get; }

    /// <summary>How a question becomes the prompt.</summary>
    public PromptFormat Prompt { get; }

    /// <summary>What ends a step.</summary>
    public string StepSeparator { get; }

    /// <summary>The model folder the tokenizer came from, or null.</summary>
    public string? SourceFolder { get; }

    public int VocabularySize => Hf.VocabularySize;

    /// <summary>The end-of-sequence id a fine-tuned answer is taught to end with (tokenizer_config.json's eos_token).</summary>
    public IReadOnlyList<int> EndOfCompletion { get; }

    /// <summary>The prompt format applied, with the begin token first where the model adds one and the format does not already.</summary>
    public List<int> EncodePrompt(string question)
    {
        var ids = new List<int>();
        if (Hf.AddsBeginToken && !Prompt.IncludesBeginToken && Hf.BeginId is int begin)
        {
            ids.Add(begin);
        }

        ids.AddRange(Hf.Encode(Prompt.Render(question)));
        return ids;
    }

    public List<int> Encode(string text) => [.. Hf.Encode(text)];

    /// <summary>The text, special tokens (end of sequence, chat markers) left out. Never throws.</summary>
    public string Decode(IEnumerable<int> ids) => Hf.Decode(ids, skipSpecialTokens: true);

    public TokenStop StopAfter(IReadOnlyList<int> generated)
    {
        if (generated.Count == 0)
        {
            return TokenStop.None;
        }

        if (Array.BinarySearch(_endIds, generated[^1]) >= 0)
        {
            return TokenStop.EndOfAnswer;
        }

        // The separator ends a step when the newest token completes it: the text written so far, past leading white
        // space, holds it, and the text before the newest token does not.
        string text = Decode(generated).TrimStart();
        return text.Contains(StepSeparator, StringComparison.Ordinal)
            && !Decode(generated.Take(generated.Count - 1)).TrimStart().Contains(StepSeparator, StringComparison.Ordinal)
            ? TokenStop.EndOfStep
            : TokenStop.None;
    }
}
