using Reasoning.Core.Solutions.FreeText;

namespace Reasoning.Core.Tasks.Jsonl;

/// <summary>
/// Where a JSONL dataset is and how to read it (the spec's <c>task: {kind: jsonl, ...}</c>; see <c>docs/datasets.md</c>).
/// </summary>
/// <param name="Path">The JSONL file (the train file when <paramref name="TestPath"/> is set; else both splits are drawn from it).</param>
/// <param name="QuestionField">The field that holds the question, e.g. <c>question</c> (GSM8K) or <c>problem</c> (MATH).</param>
/// <param name="AnswerField">The field the reference answer is extracted from, as <paramref name="AnswerFormat"/> says.</param>
/// <param name="AnswerFormat">How the answer is marked in <paramref name="AnswerField"/>; also how a model marks its answer.</param>
/// <param name="SolutionField">The field that holds the reference solution; when null, the answer field's text serves (for
/// GSM8K the text before <c>####</c>; for plain answers there is then no reference solution).</param>
/// <param name="TestPath">A second JSONL file, the test split; null to split <paramref name="Path"/> by seed.</param>
/// <param name="Steps">What a step is, in the references and in what models write: lines or paragraphs; null for the
/// answer format's own (lines for GSM8K, paragraphs otherwise).</param>
public sealed record JsonlTaskSettings(
    string Path,
    string QuestionField,
    string AnswerField,
    AnswerFormat AnswerFormat,
    string? SolutionField = null,
    string? TestPath = null,
    StepUnit? Steps = null);

/// <summary>What one step of a free-text solution is.</summary>
public enum StepUnit
{
    /// <summary>A line: steps end at <c>"\n"</c> (GSM8K writes its solutions this way).</summary>
    Lines,

    /// <summary>A paragraph: steps end at a blank line, <c>"\n\n"</c> (as OpenR and Math-Shepherd-style PRMs split).</summary>
    Paragraphs,
}
