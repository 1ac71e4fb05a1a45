using Reasoning.Core.Solutions.FreeText;
using Reasoning.Core.Tasks.Jsonl;
using Reasoning.Tests.Experiments;

namespace Reasoning.Tests.Core.Jsonl;

/// <summary>The project's own sample datasets under <c>experiments/data/</c>, and settings that read them.</summary>
internal static class DatasetFiles
{
    public static string Folder => Path.Combine(TestRepository.Root, "experiments", "data");

    /// <summary>30 GSM8K-style word problems: <c>question</c>, <c>answer</c> (the solution, ending <c>#### N</c>).</summary>
    public static string Gsm8kStyle => Path.Combine(Folder, "gsm8k-style.jsonl");

    /// <summary>20 MATH-style problems: <c>problem</c>, <c>solution</c> (with <c>\boxed{}</c>), <c>answer</c>, <c>subject</c>, <c>level</c>.</summary>
    public static string MathStyle => Path.Combine(Folder, "math-style.jsonl");

    public static JsonlTaskSettings Gsm8k(string? path = null, string? testPath = null) =>
        new(path ?? Gsm8kStyle, "question", "answer", AnswerFormat.Gsm8k, TestPath: testPath);

    /// <summary>MATH read the way its solutions carry the answer: the answer field is the solution, boxed.</summary>
    public static JsonlTaskSettings MathBoxed(string? path = null) => new(path ?? MathStyle, "problem", "solution", AnswerFormat.Boxed);

    /// <summary>MATH-500's way: a plain answer field, the solution beside it.</summary>
    public static JsonlTaskSettings MathPlain(string? path = null) => new(path ?? MathStyle, "problem", "answer", AnswerFormat.Plain, SolutionField: "solution");
}
