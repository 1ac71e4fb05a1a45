namespace Reasoning.Core.Solutions.FreeText;

/// <summary>How a final answer is marked in free text (spec key <c>answer_format</c>).</summary>
public enum AnswerFormat
{
    /// <summary>GSM8K: <c>#### 42</c>, the answer after the last <c>####</c> (Cobbe et al. 2021).</summary>
    Gsm8k,

    /// <summary>MATH: the content of the last <c>\boxed{…}</c> or <c>\fbox{…}</c> (Hendrycks et al. 2021).</summary>
    Boxed,

    /// <summary>
    /// The text is the answer (a dataset field that holds only the answer): its last non-empty line, trimmed. In a
    /// model's completion, the answer is marked like the line format's: a line <c>answer: 42</c>.
    /// </summary>
    Plain,
}
