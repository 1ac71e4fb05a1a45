using System.Text;

namespace Reasoning.Core.Solutions.FreeText;

/// <summary>
/// Free-text solutions, as real datasets and pretrained models write them: steps separated by
/// <see cref="StepSeparator"/> (a blank line by default, the paragraph steps of OpenR and of Math-Shepherd-style
/// PRMs; a newline for GSM8K's one step per line), the answer marked as <see cref="Answers"/> says:
/// <code>
/// Natalia sold 48 / 2 = 24 clips in May.      a step
///                                             the separator ("\n\n")
/// She sold 48 + 24 = 72 clips in all.         a step
///
/// #### 72                                     the answer step (GSM8K); or "... $\boxed{72}$." (MATH)
/// </code>
/// The free-text counterpart of <see cref="SolutionText"/>, with the same limits and the same promise: parsing never
/// throws, and garbage parses to no answer.
/// <para>
/// Parsing: line ends are made <c>\n</c> (<c>\r\n</c> and a lone <c>\r</c>), then the text is cut at each separator;
/// each piece, trimmed, is a step, and empty pieces (separators in a row) are skipped. The first step that states an
/// answer (see <see cref="IsAnswerStep"/>) ends the solution: its answer, white space runs made one space, is the
/// answer when it is well formed (<see cref="SolutionText.IsWellFormed"/>), and nothing after it is read. A last piece
/// that is not followed by a separator and states no answer was cut off: it is dropped and the solution is
/// <see cref="ParsedSolution.Truncated"/>. A step longer than <see cref="MaxStepLength"/>, or holding a control
/// character other than a newline or tab, U+FFFD, U+FEFF or an unpaired surrogate, is malformed: skipped and counted
/// (<see cref="ParsedSolution.MalformedLines"/>). Steps past <see cref="SolutionText.MaxSteps"/> are ignored, and text
/// past <see cref="SolutionText.MaxTextLength"/> characters is cut off there.
/// </para>
/// </summary>
public sealed class FreeTextFormat : ISolutionFormat
{
    /// <summary>The paragraph separator (OpenR, Math-Shepherd).</summary>
    public const string ParagraphSeparator = "\n\n";

    /// <summary>A longer step is malformed (a paragraph of a real solution is a few hundred characters).</summary>
    public const int MaxStepLength = 4096;

    /// <summary>The answer step that <see cref="AnswerStep"/> writes for <see cref="AnswerFormat.Boxed"/> (<c>{0}</c> is the answer).</summary>
    public const string BoxedAnswerStep = "The final answer is $\\boxed{{{0}}}$.";

    /// <param name="answers">How the answer is marked.</param>
    /// <param name="separator">What ends a step; not empty and not only spaces or tabs (a newline or blank line, usually).</param>
    /// <exception cref="ArgumentException">The separator is empty or only spaces and tabs.</exception>
    public FreeTextFormat(AnswerFormat answers, string separator = ParagraphSeparator)
    {
        if (string.IsNullOrEmpty(separator) || separator.All(c => c is ' ' or '\t'))
        {
            throw new ArgumentException($"a step separator must not be empty or only spaces and tabs, got \"{separator}\"", nameof(separator));
        }

        if (!Enum.IsDefined(answers))
        {
            throw new ArgumentOutOfRangeException(nameof(answers), answers, "not an answer format");
        }

        Answers = answers;
        StepSeparator = separator.Replace("\r\n", "\n").Replace('\r', '\n');
        string steps = StepSeparator switch { "\n" => "lines", ParagraphSeparator => "paragraphs", _ => "steps" };
        Name = $"{steps}/{answers.ToString().ToLowerInvariant()}";
    }

    /// <summary>How the answer is marked.</summary>
    public AnswerFormat Answers { get; }

    /// <summary><c>lines/gsm8k</c>, <c>paragraphs/boxed</c>, <c>steps/plain</c> (another separator).</summary>
    public string Name { get; }

    public string StepSeparator { get; }

    public ParsedSolution ParseCompletion(string? completion)
    {
        if (string.IsNullOrEmpty(completion))
        {
            return ParsedSolution.Empty;
        }

        bool cutOff = completion.Length > SolutionText.MaxTextLength;
        string text = NormalizeLineEnds(cutOff ? completion[..SolutionText.MaxTextLength] : completion);
        var steps = new List<string>();
        int malformed = 0;
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf(StepSeparator, start, StringComparison.Ordinal);
            bool ended = end >= 0;
            string step = text[start..(ended ? end : text.Length)].Trim();
            start = ended ? end + StepSeparator.Length : text.Length;
            if (step.Length == 0)
            {
                continue;
            }

            if (RawAnswer(step) is { } raw)
            {
                if (!ended && cutOff)
                {
                    // The answer step itself may have been cut at the length limit.
                    return new ParsedSolution(steps, null, malformed, Truncated: true);
                }

                string? answer = CleanAnswer(raw);
                return new ParsedSolution(steps, answer, malformed, Truncated: false) { AnswerStep = answer is null ? null : step };
            }

            if (!ended)
            {
                return new ParsedSolution(steps, null, malformed, Truncated: true);
            }

            if (!IsWellFormedStep(step))
            {
                malformed++;
            }
            else if (steps.Count < SolutionText.MaxSteps)
            {
                steps.Add(step);
            }
        }

        return new ParsedSolution(steps, null, malformed, Truncated: cutOff);
    }

    /// <summary>
    /// The steps, each ended by the separator, then <see cref="AnswerStep"/> of <paramref name="answer"/> and the
    /// separator, unless the last step already states an answer (a MATH solution's last paragraph holds its
    /// <c>\boxed{}</c>): then that step's answer stands. Steps before the last must not state an answer.
    /// </summary>
    public string RenderCompletion(IEnumerable<string> steps, string answer)
    {
        IReadOnlyList<string> list = steps as IReadOnlyList<string> ?? steps.ToList();
        string text = RenderSteps(list);
        return list.Count > 0 && IsAnswerStep(list[^1]) ? text : text + AnswerStep(answer) + StepSeparator;
    }

    public string RenderSteps(IEnumerable<string> steps)
    {
        var text = new StringBuilder();
        foreach (string step in steps)
        {
            text.Append(step).Append(StepSeparator);
        }

        return text.ToString();
    }

    /// <summary>
    /// Whether the step holds an answer mark with an answer: <c>#### 42</c> (GSM8K), a balanced <c>\boxed{…}</c> or
    /// <c>\fbox{…}</c> (boxed), a line starting <c>answer:</c> followed by text (plain).
    /// </summary>
    public bool IsAnswerStep(string step) => RawAnswer(step) is not null;

    /// <summary><c>#### 42</c>, <c>The final answer is $\boxed{42}$.</c> or <c>answer: 42</c>.</summary>
    public string AnswerStep(string answer) => Answers switch
    {
        AnswerFormat.Gsm8k => $"{AnswerExtraction.Gsm8kMarker} {answer}",
        AnswerFormat.Boxed => string.Format(System.Globalization.CultureInfo.InvariantCulture, BoxedAnswerStep, answer),
        _ => SolutionText.AnswerPrefix + answer,
    };

    /// <summary>
    /// The answer's canonical form (<see cref="AnswerEquivalence.Canonical"/>: <c>1,234</c>, <c>1234.00</c> and
    /// <c>$1,234</c> are all <c>1234</c>), so a vote counts answers the task verifies as equal together; empty (no vote)
    /// for an answer that equals nothing (empty after normalising, or longer than <see cref="AnswerEquivalence.MaxAnswerLength"/>).
    /// </summary>
    public string AnswerKey(string answer) =>
        answer.Length > AnswerEquivalence.MaxAnswerLength ? "" : AnswerEquivalence.Canonical(answer);

    public override string ToString() => Name;

    /// <summary>The answer the step states, as written; null when it states none.</summary>
    private string? RawAnswer(string? step)
    {
        if (string.IsNullOrEmpty(step))
        {
            return null;
        }

        if (Answers != AnswerFormat.Plain)
        {
            return Answers.Extract(step);
        }

        // Plain: the last line of the step that starts "answer:".
        foreach (string line in step.Split('\n', '\r').Reverse())
        {
            if (SolutionText.IsAnswerLine(line))
            {
                string answer = line.TrimStart()[(SolutionText.AnswerPrefix.Length - 1)..].Trim();
                return answer.Length == 0 ? null : answer;
            }
        }

        return null;
    }

    /// <summary>White space runs made one space; null unless the result is well formed.</summary>
    private static string? CleanAnswer(string raw)
    {
        var text = new StringBuilder(raw.Length);
        bool space = false;
        foreach (char c in raw)
        {
            if (char.IsWhiteSpace(c))
            {
                space = text.Length > 0;
                continue;
            }

            if (space)
            {
                text.Append(' ');
                space = false;
            }

            text.Append(c);
        }

        string answer = text.ToString();
        return SolutionText.IsWellFormed(answer) ? answer : null;
    }

    private static bool IsWellFormedStep(string step)
    {
        if (step.Length > MaxStepLength)
        {
            return false;
        }

        for (int i = 0; i < step.Length; i++)
        {
            char c = step[i];
            if ((char.IsControl(c) && c is not ('\n' or '\t')) || c == '\uFFFD' || c == '\uFEFF')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= step.Length || !char.IsLowSurrogate(step[i + 1]))
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

    private static string NormalizeLineEnds(string text) =>
        text.Contains('\r') ? text.Replace("\r\n", "\n").Replace('\r', '\n') : text;
}
