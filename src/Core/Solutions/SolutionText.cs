using System.Text;

namespace Reasoning.Core.Solutions;

/// <summary>
/// The one solution text format every strategy reads and writes, so comparisons are fair:
/// <code>
/// (3+4)*5-6          the question, one line
/// 3+4=7              one step per line
/// 7*5=35
/// 35-6=29
/// answer: 29         the answer line
/// </code>
/// Every line, the answer line included, ends with a newline; a line without one was cut off
/// and does not count. Model output is untrusted: <see cref="Parse"/> and
/// <see cref="ParseCompletion"/> never throw, and garbage parses to "no answer".
/// </summary>
public static class SolutionText
{
    /// <summary>Starts the answer line (matched case-insensitively, after leading white space).</summary>
    public const string AnswerPrefix = "answer: ";

    /// <summary>A longer line is malformed (no task's step comes near it).</summary>
    public const int MaxLineLength = 256;

    /// <summary>Steps past this many are ignored.</summary>
    public const int MaxSteps = 256;

    /// <summary>Text past this many characters is ignored, as if cut off there.</summary>
    public const int MaxTextLength = 1 << 16;

    /// <summary>The characters the format itself adds to a task's alphabet.</summary>
    public const string Alphabet = "answer: \n";

    /// <summary>The full text: question line, step lines, answer line.</summary>
    public static string Render(string prompt, IEnumerable<string> steps, string answer) =>
        prompt + "\n" + RenderCompletion(steps, answer);

    /// <summary>What follows the question line: the step lines, then the answer line.</summary>
    public static string RenderCompletion(IEnumerable<string> steps, string answer) =>
        RenderLines(steps) + AnswerPrefix + answer + "\n";

    /// <summary>Lines written after the question (steps, perhaps an answer line), each ended by its newline.</summary>
    public static string RenderLines(IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Parses a full text whose first line is the question.</summary>
    public static ParsedSolution Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ParsedSolution.Empty;
        }

        int length = Math.Min(text.Length, MaxTextLength);
        int newline = IndexOfLineBreak(text, 0, length);
        return newline < 0
            ? ParsedSolution.Empty with { Truncated = true }
            : Parse(text, newline + 1, length, cutOff: text.Length > MaxTextLength);
    }

    /// <summary>Parses what a model wrote after the question line.</summary>
    public static ParsedSolution ParseCompletion(string? completion) =>
        string.IsNullOrEmpty(completion)
            ? ParsedSolution.Empty
            : Parse(completion, 0, Math.Min(completion.Length, MaxTextLength), cutOff: completion.Length > MaxTextLength);

    /// <summary>Reads the lines of text[start..end); <paramref name="cutOff"/> says the text went on past <paramref name="end"/>.</summary>
    private static ParsedSolution Parse(string text, int start, int end, bool cutOff)
    {
        var steps = new List<string>();
        int malformed = 0;
        while (start < end)
        {
            int lineEnd = IndexOfLineBreak(text, start, end);
            if (lineEnd < 0)
            {
                // The last line has no newline: it was cut off.
                return new ParsedSolution(steps, null, malformed, Truncated: true);
            }

            string line = text[start..lineEnd].Trim();
            start = lineEnd + 1;
            if (line.Length == 0)
            {
                continue;
            }

            if (IsAnswerLine(line))
            {
                string answer = line[(AnswerPrefix.Length - 1)..].Trim();
                return new ParsedSolution(steps, IsWellFormed(answer) ? answer : null, malformed, Truncated: false);
            }

            if (!IsWellFormed(line))
            {
                malformed++;
            }
            else if (steps.Count < MaxSteps)
            {
                steps.Add(line);
            }
        }

        return new ParsedSolution(steps, null, malformed, Truncated: cutOff);
    }

    /// <summary>True for a line of printable text: not empty, not too long, no control characters,
    /// no replacement characters (the mark of mangled encodings), no unpaired surrogates.</summary>
    public static bool IsWellFormed(string line)
    {
        if (line.Length == 0 || line.Length > MaxLineLength)
        {
            return false;
        }

        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (char.IsControl(c) || c == '\uFFFD' || c == '\uFEFF')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= line.Length || !char.IsLowSurrogate(line[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether a line (leading white space allowed) is the answer line.</summary>
    public static bool IsAnswerLine(ReadOnlySpan<char> line) =>
        line.TrimStart().StartsWith(AnswerPrefix.AsSpan().TrimEnd(), StringComparison.OrdinalIgnoreCase);

    private static int IndexOfLineBreak(string text, int start, int end)
    {
        int at = text.AsSpan(start, end - start).IndexOfAny('\n', '\r');
        return at < 0 ? -1 : start + at;
    }
}

/// <summary>The steps and answer found in a solution text.</summary>
/// <param name="Steps">Well-formed step lines, in order (malformed ones are skipped).</param>
/// <param name="Answer">The answer, or null when there is no well-formed, complete answer line.</param>
/// <param name="MalformedLines">Lines skipped as malformed.</param>
/// <param name="Truncated">The text ended inside a line (or past <see cref="SolutionText.MaxTextLength"/>).</param>
public sealed record ParsedSolution(IReadOnlyList<string> Steps, string? Answer, int MalformedLines, bool Truncated)
{
    public static ParsedSolution Empty { get; } = new(Array.Empty<string>(), null, 0, false);

    public bool HasAnswer => Answer is not null;

    /// <summary>
    /// The step that ended the solution by stating its answer, as <see cref="ISolutionFormat.ParseCompletion"/> found it
    /// (<c>answer: 29</c>, <c>#### 42</c>, a paragraph ending <c>\boxed{5}</c>); not one of <see cref="Steps"/>. Set
    /// exactly when <see cref="Answer"/> is, except from <see cref="SolutionText"/> itself, whose answer line is implied (null).
    /// </summary>
    public string? AnswerStep { get; init; }
}
