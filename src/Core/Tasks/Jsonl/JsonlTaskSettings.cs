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
public sealed record JsonlTaskSettings(
    string Path,
    string QuestionField,
    string AnswerField,
    AnswerFormat AnswerFormat,
    string? SolutionField = null,
    string? TestPath = null);
