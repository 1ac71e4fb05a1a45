using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Policy.Tokenization;

public sealed class PromptFormatTests
{
    private const string Question = "What is 2 + 3?";
    private const string System = "You are a helpful assistant.";

    [Fact]
    public void PlainIsTheQuestionAsItIs() => Assert.Equal(" x \n", PromptFormat.Plain.Render(" x \n"));

    [Fact]
    public void ChatMlWrapsTheQuestionInQwensTurns()
    {
        Assert.Equal(
            "<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\n",
            PromptFormat.ChatMl().Render(Question));
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\n",
            PromptFormat.ChatMl(System).Render(Question));
    }

    [Fact]
    public void LlamaThreeWrapsTheQuestionInHeadersAfterTheBeginToken()
    {
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            PromptFormat.Llama3().Render(Question));
        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 3?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            PromptFormat.Llama3(System).Render("  " + Question + "\n"));
        Assert.True(PromptFormat.Llama3().IncludesBeginToken);
        Assert.False(PromptFormat.ChatMl().IncludesBeginToken);
    }

    [Fact]
    public void ATemplateReplacesEveryQuestionPlaceholder() =>
        Assert.Equal("Q: 1+1\nA (1+1):", PromptFormat.Template("Q: {question}\nA ({question}):").Render("1+1"));

    [Fact]
    public void ATemplateWithoutThePlaceholderIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => PromptFormat.Template("Question: {q}"));
        Assert.StartsWith("prompt template \"Question: {q}\" does not contain {question}", error.Message);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("ChatML", "chatml")]
    [InlineData("llama3", "llama3")]
    [InlineData("Solve: {question}", "Solve: {question}")]
    public void ParseKnowsTheNamesAndTemplates(string spec, string name) => Assert.Equal(name, PromptFormat.Parse(spec).Name);

    [Fact]
    public void ParseRefusesAnUnknownNameAndASystemMessageWithoutAChatFormat()
    {
        Assert.Contains("neither plain, chatml, llama3 nor a template", Assert.Throws<ArgumentException>(() => PromptFormat.Parse("alpaca")).Message);
        Assert.Contains("has no system message", Assert.Throws<ArgumentException>(() => PromptFormat.Parse("plain", System)).Message);
        Assert.Equal(System, PromptFormat.Parse("chatml", System).SystemMessage);
    }

    [Theory]
    [InlineData("chatml", TokenizerAssets.Qwen3)]
    [InlineData("llama3", TokenizerAssets.Llama3)]
    public void RenderedChatPromptsTokenizeToTheReferenceIds(string format, string model)
    {
        // make-corpus.mjs writes the same prompts as corpus lines; encode.mjs gave their ids.
        var tokenizer = TokenizerAssets.Load(model);
        var expected = TokenizerAssets.ExpectedIds(model);
        foreach (string? system in new[] { null, System })
        {
            string prompt = PromptFormat.Parse(format, system).Render(Question);
            int line = TokenizerAssets.CorpusLines.ToList().IndexOf(prompt);
            Assert.True(line >= 0, $"the corpus has no line for the {format} prompt \"{prompt}\"");
            Assert.Equal(expected[line], tokenizer.Encode(prompt));
        }
    }

    [Fact]
    public void ChatMlSpecialTokensAreSingleQwenTokens()
    {
        const int imStart = 151644, imEnd = 151645;
        var ids = TokenizerAssets.Load(TokenizerAssets.Qwen3).Encode(PromptFormat.ChatMl().Render(Question));
        Assert.Equal(imStart, ids[0]);
        Assert.Equal(2, ids.Count(id => id == imStart)); // the user turn and the assistant turn
        Assert.Single(ids, id => id == imEnd); // only the user turn is closed
    }
}
