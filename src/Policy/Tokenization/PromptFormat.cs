namespace Reasoning.Policy.Tokenization;

/// <summary>
/// How a question becomes the prompt text a pretrained model continues. Written from the models'
/// published chat formats, not by evaluating tokenizer_config.json's Jinja <c>chat_template</c>
/// (docs/tokenizers.md): <see cref="Plain"/>, a user template with <c>{question}</c>,
/// <see cref="ChatMl"/> (Qwen) and <see cref="Llama3"/>. The rendered text contains the special
/// tokens as text; <see cref="HfTokenizer.Encode"/> recognises them.
/// </summary>
public sealed class PromptFormat
{
    /// <summary>The placeholder a user template must contain.</summary>
    public const string QuestionPlaceholder = "{question}";

    private readonly Func<string, string> _render;

    private PromptFormat(string name, string? systemMessage, bool includesBeginToken, Func<string, string> render)
    {
        Name = name;
        SystemMessage = systemMessage;
        IncludesBeginToken = includesBeginToken;
        _render = render;
    }

    /// <summary>"plain", "chatml", "llama3", or the user template itself.</summary>
    public string Name { get; }

    /// <summary>The system message of a chat format, or null for none.</summary>
    public string? SystemMessage { get; }

    /// <summary>
    /// Whether the rendered prompt already starts with the model's BOS token (Llama 3's
    /// &lt;|begin_of_text|&gt;), so a caller must not prepend <see cref="HfTokenizer.BeginId"/> again.
    /// </summary>
    public bool IncludesBeginToken { get; }

    /// <summary>The question as it is.</summary>
    public static PromptFormat Plain { get; } = new("plain", null, includesBeginToken: false, question => question);

    /// <summary>
    /// ChatML as Qwen2/2.5/3 instruct models use it, ending where the assistant's answer starts:
    /// <c>&lt;|im_start|&gt;system\n{system}&lt;|im_end|&gt;\n</c> (only with a system message), then
    /// <c>&lt;|im_start|&gt;user\n{question}&lt;|im_end|&gt;\n&lt;|im_start|&gt;assistant\n</c>.
    /// Qwen3's thinking switch (an empty &lt;think&gt; block) is not added.
    /// </summary>
    public static PromptFormat ChatMl(string? systemMessage = null) =>
        new("chatml", systemMessage, includesBeginToken: false, question =>
            (systemMessage is null ? "" : $"<|im_start|>system\n{systemMessage}<|im_end|>\n") +
            $"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n");

    /// <summary>
    /// Llama 3 instruct's header format, ending where the assistant's answer starts:
    /// <c>&lt;|begin_of_text|&gt;</c>, an optional <c>&lt;|start_header_id|&gt;system&lt;|end_header_id|&gt;\n\n{system}&lt;|eot_id|&gt;</c>,
    /// then <c>&lt;|start_header_id|&gt;user&lt;|end_header_id|&gt;\n\n{question}&lt;|eot_id|&gt;&lt;|start_header_id|&gt;assistant&lt;|end_header_id|&gt;\n\n</c>.
    /// Messages are trimmed of surrounding whitespace, as Meta's template does.
    /// </summary>
    public static PromptFormat Llama3(string? systemMessage = null) =>
        new("llama3", systemMessage, includesBeginToken: true, question =>
            "<|begin_of_text|>" +
            (systemMessage is null ? "" : $"<|start_header_id|>system<|end_header_id|>\n\n{systemMessage.Trim()}<|eot_id|>") +
            $"<|start_header_id|>user<|end_header_id|>\n\n{question.Trim()}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");

    /// <summary>A user template: the text with every <c>{question}</c> replaced by the question.</summary>
    /// <exception cref="ArgumentException">The template does not contain <c>{question}</c>.</exception>
    public static PromptFormat Template(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.Contains(QuestionPlaceholder, StringComparison.Ordinal))
        {
            throw new ArgumentException($"prompt template \"{template}\" does not contain {QuestionPlaceholder}", nameof(template));
        }

        return new PromptFormat(template, null, includesBeginToken: false,
            question => template.Replace(QuestionPlaceholder, question, StringComparison.Ordinal));
    }

    /// <summary>
    /// The format a setting names: "plain", "chatml" or "llama3" (case-insensitive), otherwise a user
    /// template containing <c>{question}</c>. <paramref name="systemMessage"/> is for the chat formats.
    /// </summary>
    /// <exception cref="ArgumentException">Neither a known name nor a template with <c>{question}</c>, or a system message given to a format without one.</exception>
    public static PromptFormat Parse(string spec, string? systemMessage = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var format = spec.ToLowerInvariant() switch
        {
            "plain" => Plain,
            "chatml" => ChatMl(systemMessage),
            "llama3" => Llama3(systemMessage),
            _ when spec.Contains(QuestionPlaceholder, StringComparison.Ordinal) => Template(spec),
            _ => throw new ArgumentException(
                $"prompt format \"{spec}\" is neither plain, chatml, llama3 nor a template containing {QuestionPlaceholder}", nameof(spec)),
        };
        if (systemMessage is not null && format.SystemMessage is null)
        {
            throw new ArgumentException($"prompt format \"{spec}\" has no system message; use chatml or llama3", nameof(systemMessage));
        }

        return format;
    }

    /// <summary>The prompt for <paramref name="question"/>.</summary>
    public string Render(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        return _render(question);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
