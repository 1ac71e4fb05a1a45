using System.Text;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;

namespace Reasoning.Tests.Core;

public sealed class SolutionTextTests
{
    private const string Question = "(3+4)*5-6";

    // ----------------------------------------------------------------------------------------
    // 1. Round trip of every built-in task's reference solutions.
    // ----------------------------------------------------------------------------------------

    [Fact]
    public void Parse_ReferenceSolutions_GivesReferenceStepsAndAnswer()
    {
        int checkedProblems = 0;
        foreach ((IReasoningTask task, Problem problem) in GeneratedProblems(200, "round-trip"))
        {
            string text = problem.ReferenceSolution;
            int firstNewline = text.IndexOf('\n');
            Assert.True(firstNewline >= 0, $"{task.Name}: the reference solution has no question line");
            Assert.Equal(problem.Prompt, text[..firstNewline]);
            string completion = text[(firstNewline + 1)..];
            Assert.Equal(SolutionText.RenderCompletion(problem.ReferenceSteps, problem.Answer), completion);

            foreach ((string how, ParsedSolution parsed) in new[]
                     {
                         ("Parse", SolutionText.Parse(text)),
                         ("ParseCompletion", SolutionText.ParseCompletion(completion)),
                     })
            {
                string context = $"{task.Name} {problem.Id} via {how}: {Escape(text)}";
                Assert.True(problem.ReferenceSteps.SequenceEqual(parsed.Steps), $"steps differ: {context}");
                Assert.True(problem.Answer == parsed.Answer, $"answer {Escape(parsed.Answer)} differs: {context}");
                Assert.True(parsed.HasAnswer, context);
                Assert.True(parsed.MalformedLines == 0, $"{parsed.MalformedLines} malformed lines: {context}");
                Assert.False(parsed.Truncated, context);
            }

            checkedProblems++;
        }

        Assert.Equal(3 * 200, checkedProblems);
    }

    // ----------------------------------------------------------------------------------------
    // 2. Worked examples with exact expected values.
    // ----------------------------------------------------------------------------------------

    /// <summary>
    /// <paramref name="steps"/> is the expected steps joined by '|' ("" for none). Each row is checked
    /// through <see cref="SolutionText.ParseCompletion"/> and through <see cref="SolutionText.Parse"/>
    /// with a question line ended by "\n" and by "\r\n".
    /// </summary>
    [Theory]
    // CRLF line endings.
    [InlineData("3+4=7\r\n7*5=35\r\n35-6=29\r\nanswer: 29\r\n", "3+4=7|7*5=35|35-6=29", "29", 0, false)]
    // Blank (and white-space-only) lines between steps are skipped, not counted.
    [InlineData("\n3+4=7\n\n\n7*5=35\n   \n\t\n35-6=29\n\nanswer: 29\n", "3+4=7|7*5=35|35-6=29", "29", 0, false)]
    [InlineData("3+4=7\r\n\r\n\r\n7*5=35\r\nanswer: 35\r\n", "3+4=7|7*5=35", "35", 0, false)]
    // The answer line: no space after the colon, any case, surrounding white space.
    [InlineData("answer:29\n", "", "29", 0, false)]
    [InlineData("  ANSWER: 29 \n", "", "29", 0, false)]
    [InlineData("3+4=7\nAnswer:7\n", "3+4=7", "7", 0, false)]
    [InlineData("3+4=7\n\tAnSwEr:   7   \n", "3+4=7", "7", 0, false)]
    // The first answer line ends parsing: later lines (steps, answers, garbage, cut-off text) are ignored.
    [InlineData("3+4=7\nanswer: 7\n7*5=35\nanswer: 35\n", "3+4=7", "7", 0, false)]
    [InlineData("3+4=7\nanswer: 7\n\u0000\uFFFD\nmore text without a newline", "3+4=7", "7", 0, false)]
    // An answer line with an empty answer gives no answer (and still ends parsing).
    [InlineData("3+4=7\nanswer:\n", "3+4=7", null, 0, false)]
    [InlineData("3+4=7\nanswer:    \n7*5=35\nanswer: 35\n", "3+4=7", null, 0, false)]
    // An answer containing a control character or U+FFFD gives no answer.
    [InlineData("3+4=7\nanswer: 2\u00019\n", "3+4=7", null, 0, false)]
    [InlineData("3+4=7\nanswer: 2\uFFFD\n", "3+4=7", null, 0, false)]
    // A step with a control character, U+FFFD, U+FEFF or an unpaired surrogate is skipped and counted.
    [InlineData("3+4=7\n7\u0001*5=35\n35-6=29\nanswer: 29\n", "3+4=7|35-6=29", "29", 1, false)]
    [InlineData("3+4=7\n7*5=\uFFFD5\n35-6=29\nanswer: 29\n", "3+4=7|35-6=29", "29", 1, false)]
    [InlineData("3+4=7\n7*\u00005=35\n35-6\u001B=29\nanswer: 29\n", "3+4=7", "29", 2, false)]
    [InlineData("\uFEFF3+4=7\n7*5=35\nanswer: 35\n", "7*5=35", "35", 1, false)]
    [InlineData("3+4=7\n7*5=35\uD83D\n\uDE0035-6=29\nanswer: 29\n", "3+4=7", "29", 2, false)]
    // A correctly paired surrogate (an emoji) is fine.
    [InlineData("3+4=7 \uD83D\uDE00\nanswer: 7\n", "3+4=7 \uD83D\uDE00", "7", 0, false)]
    // A line longer than MaxLineLength is malformed.
    [InlineData("3+4=7\n1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\nanswer: 7\n", "3+4=7", "7", 1, false)]
    // A last line without a newline was cut off: no answer, Truncated.
    [InlineData("3+4=7\nanswer: 7", "3+4=7", null, 0, true)]
    [InlineData("3+4=7\n7*5=35", "3+4=7", null, 0, true)]
    [InlineData("3+4=7\n7*5=35\n", "3+4=7|7*5=35", null, 0, false)]
    [InlineData("3+4=7\nans", "3+4=7", null, 0, true)]
    public void Parse_WorkedExamples_GiveExactResult(string completion, string steps, string? answer, int malformed, bool truncated)
    {
        string[] expectedSteps = steps.Length == 0 ? Array.Empty<string>() : steps.Split('|');
        foreach ((string how, ParsedSolution parsed) in new[]
                 {
                     ("ParseCompletion", SolutionText.ParseCompletion(completion)),
                     ("Parse with LF question", SolutionText.Parse(Question + "\n" + completion)),
                     ("Parse with CRLF question", SolutionText.Parse(Question + "\r\n" + completion)),
                 })
        {
            Assert.True(expectedSteps.SequenceEqual(parsed.Steps), $"{how}: steps [{string.Join(" | ", parsed.Steps.Select(Escape))}]");
            Assert.Equal(answer, parsed.Answer);
            Assert.Equal(answer is not null, parsed.HasAnswer);
            Assert.Equal(malformed, parsed.MalformedLines);
            Assert.Equal(truncated, parsed.Truncated);
        }
    }

    [Fact]
    public void Render_IsWhatParseReads()
    {
        string[] steps = ["3+4=7", "7*5=35", "35-6=29"];
        Assert.Equal("3+4=7\n7*5=35\n35-6=29\nanswer: 29\n", SolutionText.RenderCompletion(steps, "29"));
        Assert.Equal("(3+4)*5-6\n3+4=7\n7*5=35\n35-6=29\nanswer: 29\n", SolutionText.Render(Question, steps, "29"));
        Assert.Equal("answer: 5\n", SolutionText.RenderCompletion([], "5"));
    }

    // ----------------------------------------------------------------------------------------
    // 3. Truncation at every character position.
    // ----------------------------------------------------------------------------------------

    [Fact]
    public void Parse_EveryPrefixOfReferenceSolution_IsAPrefixOfTheReferenceWithoutAnswer()
    {
        foreach ((IReasoningTask task, Problem problem) in GeneratedProblems(8, "truncation", hardestOnly: true))
        {
            string text = problem.ReferenceSolution;
            int questionEnd = text.IndexOf('\n');
            for (int cut = 0; cut <= text.Length; cut++)
            {
                string prefix = text[..cut];
                string context = $"{task.Name} cut at {cut}/{text.Length}: {Escape(prefix)}";
                ParsedSolution parsed = SolutionText.Parse(prefix);
                AssertInvariants(parsed, context);
                if (cut <= questionEnd)
                {
                    // Still inside the question line: nothing to parse yet.
                    Assert.Empty(parsed.Steps);
                    Assert.Null(parsed.Answer);
                    continue;
                }

                AssertIsExpectedPrefix(problem, prefix[(questionEnd + 1)..], parsed, context);
                if (cut < text.Length)
                {
                    Assert.False(parsed.HasAnswer, context);
                }
            }
        }
    }

    [Fact]
    public void ParseCompletion_EveryPrefixOfReferenceCompletion_IsAPrefixOfTheReferenceWithoutAnswer()
    {
        foreach ((IReasoningTask task, Problem problem) in GeneratedProblems(8, "truncation-completion", hardestOnly: true))
        {
            string completion = SolutionText.RenderCompletion(problem.ReferenceSteps, problem.Answer);
            for (int cut = 0; cut <= completion.Length; cut++)
            {
                string prefix = completion[..cut];
                string context = $"{task.Name} cut at {cut}/{completion.Length}: {Escape(prefix)}";
                ParsedSolution parsed = SolutionText.ParseCompletion(prefix);
                AssertInvariants(parsed, context);
                AssertIsExpectedPrefix(problem, prefix, parsed, context);
                Assert.Equal(cut == completion.Length, parsed.HasAnswer);
            }
        }
    }

    /// <summary>
    /// The contract for <see cref="ParsedSolution.Truncated"/>: "the text ended inside a line (or past
    /// MaxTextLength)". Parse reports it for a cut inside a step line but not for a cut inside the
    /// question line, nor for a text past MaxTextLength with no line break in it; ParseCompletion of the
    /// same line does report it. (Fails: Parse returns ParsedSolution.Empty, whose Truncated is false.)
    /// </summary>
    [Theory]
    [InlineData("(3+4)*5-6")]
    [InlineData("(3")]
    [InlineData("hugeLine")]
    public void Parse_TextEndingInsideTheQuestionLine_IsTruncated(string text)
    {
        if (text == "hugeLine")
        {
            text = new string('x', 1_000_000);
        }

        Assert.True(SolutionText.ParseCompletion(text).Truncated, "ParseCompletion: a line without a newline was cut off");
        ParsedSolution parsed = SolutionText.Parse(text);
        Assert.Null(parsed.Answer);
        Assert.Empty(parsed.Steps);
        Assert.True(parsed.Truncated, "Parse: a question line without a newline was cut off");
    }

    // ----------------------------------------------------------------------------------------
    // 4. Malformed corpus: never throws, never an answer.
    // ----------------------------------------------------------------------------------------

    public static TheoryData<string> MalformedCorpus { get; } =
    [
        "null",
        "empty",
        "one newline",
        "one CR",
        "only newlines",
        "only CRLFs",
        "only white space lines",
        "huge line",
        "huge line with newline",
        "100000 short lines",
        "100000 short lines with CRLF",
        "random bytes as UTF-8 seed 1",
        "random bytes as UTF-8 seed 2",
        "random bytes as UTF-8 seed 3",
        "random bytes as UTF-8 seed 4",
        "random bytes as UTF-8 seed 5",
        "random bytes as Latin-1 seed 1",
        "random bytes as Latin-1 seed 2",
        "random bytes as Latin-1 seed 3",
        "random bytes as Latin-1 seed 4",
        "random bytes as Latin-1 seed 5",
        "lone high surrogates",
        "lone low surrogates",
        "reversed surrogate pairs",
        "surrogate lines",
        "NULs",
        "NUL lines",
        "RTL marks and combining characters",
        "combining characters only",
        "answer of 10000 characters",
        "answer of 257 characters",
        "answer line beyond MaxTextLength",
        "answer line straddling MaxTextLength",
        "answer prefix mangled",
    ];

    [Theory]
    [MemberData(nameof(MalformedCorpus))]
    public void Parse_MalformedText_NeverThrowsAndHasNoAnswer(string name)
    {
        string? text = BuildMalformed(name);
        string? asCompletion = text;
        string? asFullText = text is null ? null : Question + "\n" + text;

        ParsedSolution completion = SolutionText.ParseCompletion(asCompletion);
        ParsedSolution full = SolutionText.Parse(asFullText);
        ParsedSolution raw = SolutionText.Parse(text);

        foreach ((string how, ParsedSolution parsed) in new[] { ("ParseCompletion", completion), ("Parse with question", full), ("Parse", raw) })
        {
            string context = $"{name} via {how}";
            AssertInvariants(parsed, context);
            Assert.False(parsed.HasAnswer, $"{context}: answer {Escape(parsed.Answer)}");
            Assert.Null(parsed.Answer);
        }

        // What is exactly known for some of the cases.
        switch (name)
        {
            case "null" or "empty":
                Assert.Same(ParsedSolution.Empty, completion);
                Assert.Same(ParsedSolution.Empty, raw);
                break;
            case "one newline" or "one CR" or "only newlines" or "only CRLFs" or "only white space lines":
                Assert.Empty(completion.Steps);
                Assert.Equal(0, completion.MalformedLines);
                Assert.Equal(text!.Length > SolutionText.MaxTextLength, completion.Truncated); // past MaxTextLength counts as cut off
                Assert.Empty(full.Steps);
                Assert.Equal(asFullText!.Length > SolutionText.MaxTextLength, full.Truncated);
                break;
            case "huge line":
                Assert.Empty(completion.Steps);
                Assert.True(completion.Truncated);
                Assert.Empty(full.Steps);
                Assert.True(full.Truncated);
                break;
            case "huge line with newline":
                // Its newline lies far past MaxTextLength: the line was cut off there.
                Assert.Empty(completion.Steps);
                Assert.True(completion.Truncated);
                Assert.Empty(full.Steps);
                Assert.True(full.Truncated);
                break;
            case "100000 short lines" or "100000 short lines with CRLF":
                Assert.Equal(SolutionText.MaxSteps, completion.Steps.Count);
                Assert.All(completion.Steps, s => Assert.Equal("1+1=2", s));
                Assert.True(completion.Truncated);
                Assert.Equal(SolutionText.MaxSteps, full.Steps.Count);
                Assert.True(full.Truncated);
                break;
            case "lone high surrogates" or "lone low surrogates" or "reversed surrogate pairs" or "surrogate lines" or "NUL lines":
                Assert.Empty(completion.Steps);
                Assert.True(completion.MalformedLines > 0);
                Assert.Empty(full.Steps);
                break;
            case "answer of 10000 characters" or "answer of 257 characters":
                Assert.Equal(new[] { "3+4=7" }, completion.Steps);
                Assert.False(completion.Truncated);
                Assert.Equal(new[] { "3+4=7" }, full.Steps);
                break;
            case "answer line beyond MaxTextLength" or "answer line straddling MaxTextLength":
                Assert.True(completion.Truncated);
                Assert.True(full.Truncated);
                break;
            case "answer prefix mangled":
                Assert.Equal(new[] { "3+4=7" }, completion.Steps);
                Assert.Equal(1, completion.MalformedLines);
                break;
        }
    }

    /// <summary>
    /// MaxTextLength: "Text past this many characters is ignored, as if cut off there." Parse applies the
    /// limit only while looking for the end of the question line, then hands the rest to ParseCompletion,
    /// which gives it a fresh budget of MaxTextLength characters. So an answer line that straddles or lies
    /// past MaxTextLength of the full text is still read, unlike Parse of the same text cut there by hand.
    /// (Fails: Parse returns answer "2" and Truncated false.)
    /// </summary>
    [Theory]
    [InlineData(10, -5)] // short question, the answer line straddles MaxTextLength
    [InlineData(40_000, -5)] // long question, the answer line straddles MaxTextLength
    [InlineData(40_000, 1_000)] // long question, the answer line starts 1,000 characters past MaxTextLength
    public void Parse_AnswerLinePastMaxTextLength_IsIgnored(int questionLength, int answerOffset)
    {
        const string answerLine = "answer: 2\n";
        int answerAt = SolutionText.MaxTextLength + answerOffset;
        var text = new StringBuilder(new string('q', questionLength)).Append('\n');
        while (text.Length + 6 <= answerAt)
        {
            text.Append("1+1=2\n");
        }

        text.Append(' ', answerAt - text.Length); // leading white space of the answer line
        string full = text.Append(answerLine).ToString();
        Assert.Equal(answerAt, full.Length - answerLine.Length);
        Assert.True(full.Length > SolutionText.MaxTextLength);

        ParsedSolution cutByHand = SolutionText.Parse(full[..SolutionText.MaxTextLength]);
        Assert.Null(cutByHand.Answer);
        Assert.True(cutByHand.Truncated);

        ParsedSolution parsed = SolutionText.Parse(full);
        AssertInvariants(parsed, $"question of {questionLength}");
        Assert.True(
            parsed.Answer is null,
            $"Parse read the answer line at [{answerAt}, {full.Length}) of the text, past MaxTextLength = {SolutionText.MaxTextLength}: answer '{parsed.Answer}'");
        Assert.True(parsed.Truncated);
        Assert.Equal(cutByHand.Steps.Count, parsed.Steps.Count);
    }

    // ----------------------------------------------------------------------------------------
    // 5. Unicode-mangled reference solutions.
    // ----------------------------------------------------------------------------------------

    [Fact]
    public void Parse_UnicodeMangledReferenceSolutions_DropsMangledLinesAndKeepsTheRest()
    {
        DeterministicRandom random = DeterministicRandom.ForPurpose(20240611, "solution-text-mangle");
        int mangledSteps = 0, keptSteps = 0, mangledAnswers = 0, keptAnswers = 0;
        foreach ((IReasoningTask task, Problem problem) in GeneratedProblems(60, "mangle"))
        {
            var completion = new StringBuilder();
            var expectedSteps = new List<string>();
            int expectedMalformed = 0;
            foreach (string step in problem.ReferenceSteps)
            {
                if (random.Next(2) == 0)
                {
                    string mangled = Mangle(step, random);
                    Assert.False(SolutionText.IsWellFormed(mangled), Escape(mangled));
                    completion.Append(mangled).Append('\n');
                    expectedMalformed++;
                }
                else
                {
                    completion.Append(step).Append('\n');
                    expectedSteps.Add(step);
                }
            }

            bool mangleAnswer = random.Next(3) == 0;
            string answer = mangleAnswer ? Mangle(problem.Answer, random) : problem.Answer;
            completion.Append(SolutionText.AnswerPrefix).Append(answer).Append('\n');

            mangledSteps += expectedMalformed;
            keptSteps += expectedSteps.Count;
            mangledAnswers += mangleAnswer ? 1 : 0;
            keptAnswers += mangleAnswer ? 0 : 1;

            string completionText = completion.ToString();
            foreach ((string how, ParsedSolution parsed) in new[]
                     {
                         ("Parse", SolutionText.Parse(problem.Prompt + "\n" + completionText)),
                         ("ParseCompletion", SolutionText.ParseCompletion(completionText)),
                     })
            {
                string context = $"{task.Name} via {how}: {Escape(completionText)}";
                AssertInvariants(parsed, context);
                Assert.True(expectedSteps.SequenceEqual(parsed.Steps), $"steps [{string.Join(" | ", parsed.Steps.Select(Escape))}]: {context}");
                Assert.True(expectedMalformed == parsed.MalformedLines, $"{parsed.MalformedLines} malformed, expected {expectedMalformed}: {context}");
                Assert.True((mangleAnswer ? null : problem.Answer) == parsed.Answer, $"answer {Escape(parsed.Answer)}: {context}");
                Assert.False(parsed.Truncated, context);
            }
        }

        // The loop really exercised both sides of each case.
        Assert.True(mangledSteps > 0 && keptSteps > 0 && mangledAnswers > 0 && keptAnswers > 0);
    }

    // ----------------------------------------------------------------------------------------
    // 6. Fuzz loop.
    // ----------------------------------------------------------------------------------------

    private static readonly string[] FuzzTokens =
    [
        "\n", "\n", "\n", "\r", "\r\n", "answer: ", "ANSWER:", "answer:", "Answer: ", "answer", " ", "  ", "\t",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "12", "99",
        "+", "-", "*", "/", "=", "(", ")", ">", ":", " -> ",
        "3+4=7", "7*5=35", "A>B:0+3=3",
        "\u0000", "\u0007", "\u001B", "\u007F", "\u0085", "\u00A0", "\uFFFD", "\uFEFF", "\uD800", "\uDC00", "\uD83D\uDE00",
        "\u0301", "\u200F", "\u202E", "\u2028", "é", "x",
    ];

    [Fact]
    public void Parse_FuzzedText_NeverThrowsAndKeepsInvariants()
    {
        DeterministicRandom random = DeterministicRandom.ForPurpose(7, "solution-text-fuzz");
        int withAnswer = 0, withSteps = 0, withMalformed = 0, truncated = 0;
        for (int i = 0; i < 2_000; i++)
        {
            int tokens = random.Next(0, 120);
            var builder = new StringBuilder();
            for (int t = 0; t < tokens; t++)
            {
                builder.Append(FuzzTokens[random.Next(FuzzTokens.Length)]);
            }

            string completion = builder.ToString();
            string context = $"fuzz case {i}: {Escape(completion)}";
            ParsedSolution parsed = SolutionText.ParseCompletion(completion);
            AssertInvariants(parsed, context);

            // Parse of question + completion reads the completion the same way.
            ParsedSolution full = SolutionText.Parse(Question + "\n" + completion);
            AssertInvariants(full, context);
            Assert.True(parsed.Steps.SequenceEqual(full.Steps), context);
            Assert.Equal(parsed.Answer, full.Answer);
            Assert.Equal(parsed.MalformedLines, full.MalformedLines);
            Assert.Equal(parsed.Truncated, full.Truncated);

            // And Parse of the fuzz text itself (its first line taken as the question) does not throw either.
            AssertInvariants(SolutionText.Parse(completion), context);

            if (parsed.HasAnswer)
            {
                Assert.Contains("answer:", completion, StringComparison.OrdinalIgnoreCase);
                Assert.False(parsed.Truncated, context);
                withAnswer++;
            }

            withSteps += parsed.Steps.Count > 0 ? 1 : 0;
            withMalformed += parsed.MalformedLines > 0 ? 1 : 0;
            truncated += parsed.Truncated ? 1 : 0;
        }

        // The alphabet makes every outcome common; a change that made them rare would weaken the test.
        Assert.True(withAnswer > 50, $"{withAnswer} cases with an answer");
        Assert.True(withSteps > 50, $"{withSteps} cases with steps");
        Assert.True(withMalformed > 50, $"{withMalformed} cases with malformed lines");
        Assert.True(truncated > 50, $"{truncated} truncated cases");
    }

    [Fact]
    public void IsWellFormed_ClassifiesLines()
    {
        Assert.True(SolutionText.IsWellFormed("3+4=7"));
        Assert.True(SolutionText.IsWellFormed("x"));
        Assert.True(SolutionText.IsWellFormed("é \uD83D\uDE00 \u200F"));
        Assert.True(SolutionText.IsWellFormed(new string('1', SolutionText.MaxLineLength)));

        Assert.False(SolutionText.IsWellFormed(""));
        Assert.False(SolutionText.IsWellFormed(new string('1', SolutionText.MaxLineLength + 1)));
        Assert.False(SolutionText.IsWellFormed("3+4=7\n"));
        Assert.False(SolutionText.IsWellFormed("3\u0000"));
        Assert.False(SolutionText.IsWellFormed("3\u007F"));
        Assert.False(SolutionText.IsWellFormed("3\u0085"));
        Assert.False(SolutionText.IsWellFormed("3\uFFFD"));
        Assert.False(SolutionText.IsWellFormed("\uFEFF3"));
        Assert.False(SolutionText.IsWellFormed("3\uD83D"));
        Assert.False(SolutionText.IsWellFormed("\uDE003"));
        Assert.False(SolutionText.IsWellFormed("\uDE00\uD83D"));
    }

    // ----------------------------------------------------------------------------------------
    // Helpers.
    // ----------------------------------------------------------------------------------------

    /// <summary><paramref name="perTask"/> problems of each built-in task, difficulties cycling over the task's range.</summary>
    private static IEnumerable<(IReasoningTask Task, Problem Problem)> GeneratedProblems(int perTask, string purpose, bool hardestOnly = false)
    {
        foreach (IReasoningTask task in TaskRegistry.CreateDefault().All)
        {
            DeterministicRandom random = DeterministicRandom.ForPurpose(42, $"solution-text-{purpose}-{task.Name}");
            int range = task.MaxDifficulty - task.MinDifficulty + 1;
            for (int i = 0; i < perTask; i++)
            {
                int difficulty = hardestOnly ? task.MaxDifficulty : task.MinDifficulty + i % range;
                yield return (task, task.Generate(difficulty, random));
            }
        }
    }

    /// <summary>What a cut-off completion must parse to: the reference steps of its complete lines, the
    /// answer only when the answer line is complete, Truncated when the cut falls inside a line.</summary>
    private static void AssertIsExpectedPrefix(Problem problem, string completionPrefix, ParsedSolution parsed, string context)
    {
        int completeLines = completionPrefix.Count(c => c == '\n');
        int stepCount = problem.ReferenceSteps.Count;
        IEnumerable<string> expectedSteps = problem.ReferenceSteps.Take(Math.Min(completeLines, stepCount));
        Assert.True(expectedSteps.SequenceEqual(parsed.Steps), $"steps [{string.Join(" | ", parsed.Steps)}]: {context}");
        Assert.True((completeLines > stepCount ? problem.Answer : null) == parsed.Answer, $"answer {Escape(parsed.Answer)}: {context}");
        Assert.True(parsed.MalformedLines == 0, context);
        bool insideLine = completionPrefix.Length > 0 && completionPrefix[^1] != '\n';
        Assert.True(insideLine == parsed.Truncated, $"Truncated = {parsed.Truncated}: {context}");
    }

    private static void AssertInvariants(ParsedSolution parsed, string context)
    {
        Assert.NotNull(parsed);
        Assert.NotNull(parsed.Steps);
        Assert.True(parsed.Steps.Count <= SolutionText.MaxSteps, $"{parsed.Steps.Count} steps: {context}");
        foreach (string step in parsed.Steps)
        {
            Assert.True(SolutionText.IsWellFormed(step), $"ill-formed step {Escape(step)}: {context}");
        }

        Assert.True(parsed.Answer is null || SolutionText.IsWellFormed(parsed.Answer), $"ill-formed answer {Escape(parsed.Answer)}: {context}");
        Assert.Equal(parsed.Answer is not null, parsed.HasAnswer);
        Assert.True(parsed.MalformedLines >= 0, context);
    }

    /// <summary>Breaks <paramref name="line"/> (an ASCII step or answer) so it is no longer well formed.</summary>
    private static string Mangle(string line, DeterministicRandom random)
    {
        int at = random.Next(line.Length);
        int insertAt = random.Next(line.Length + 1);
        return random.Next(6) switch
        {
            0 => line[..at] + '\uFFFD' + line[(at + 1)..],
            1 => line.Insert(insertAt, "\uFFFD"),
            2 => line.Insert(insertAt, "\uD83D"), // lone high surrogate
            3 => line.Insert(insertAt, "\uDE00"), // lone low surrogate
            4 => line.Insert(insertAt, "\uFEFF"),
            _ => line[..at] + "\u0000\u0007\u001B\u007F\u009B"[random.Next(5)] + line[(at + 1)..],
        };
    }

    private static string? BuildMalformed(string name)
    {
        const string shortLine = "1+1=2\n";
        switch (name)
        {
            case "null": return null;
            case "empty": return "";
            case "one newline": return "\n";
            case "one CR": return "\r";
            case "only newlines": return new string('\n', 100_000);
            case "only CRLFs": return string.Concat(Enumerable.Repeat("\r\n", 50_000));
            case "only white space lines": return string.Concat(Enumerable.Repeat(" \t \u00A0\n", 1_000));
            case "huge line": return new string('x', 1_000_000);
            case "huge line with newline": return new string('x', 1_000_000) + "\n";
            case "100000 short lines": return string.Concat(Enumerable.Repeat(shortLine, 100_000));
            case "100000 short lines with CRLF": return string.Concat(Enumerable.Repeat("1+1=2\r\n", 100_000));
            case "lone high surrogates": return new string('\uD800', 1_000) + "\n" + new string('\uDBFF', 10) + "\n";
            case "lone low surrogates": return new string('\uDC00', 1_000) + "\n" + new string('\uDFFF', 10) + "\n";
            case "reversed surrogate pairs": return string.Concat(Enumerable.Repeat("\uDE00\uD83D", 100)) + "\n";
            case "surrogate lines": return string.Concat(Enumerable.Repeat("3+4=7\uD83D\n\uDE003+4=7\n", 1_000));
            case "NULs": return new string('\0', 10_000);
            case "NUL lines": return string.Concat(Enumerable.Repeat("\0\n3+4\0=7\n\0answer: 7\n", 100));
            case "RTL marks and combining characters":
                return string.Concat(Enumerable.Repeat("\u200F3+4=7\u200E\n\u202E7*5=35\u202C\na\u0301\u0301\u0301\n\u05D0\u05D1=\u0661\u0662\n", 500));
            case "combining characters only": return new string('\u0301', 200) + "\n" + new string('\u0301', 100_000);
            case "answer of 10000 characters": return "3+4=7\nanswer: " + new string('9', 10_000) + "\n";
            case "answer of 257 characters": return "3+4=7\nanswer: " + new string('9', SolutionText.MaxLineLength + 1) + "\n";
            case "answer prefix mangled": return "3+4=7\nansw\uFFFDer: 7\n";
            case "answer line beyond MaxTextLength":
            {
                var text = new StringBuilder();
                while (text.Length < SolutionText.MaxTextLength + 10)
                {
                    text.Append(shortLine);
                }

                return text.Append("answer: 2\n").ToString();
            }

            case "answer line straddling MaxTextLength":
            {
                // The answer line starts before MaxTextLength and its newline falls past it. The text starts
                // with a blank line, so read as a full text its question line is empty and the answer line
                // still straddles MaxTextLength of the completion (see Parse_AnswerLinePastMaxTextLength_IsIgnored).
                const string answerLine = "answer: 2\n";
                int filler = SolutionText.MaxTextLength - answerLine.Length / 2;
                var text = new StringBuilder("\n");
                while (text.Length + shortLine.Length <= filler)
                {
                    text.Append(shortLine);
                }

                text.Append(' ', filler - text.Length);
                return text.Append(answerLine).ToString();
            }
        }

        const string utf8 = "random bytes as UTF-8 seed ";
        const string latin1 = "random bytes as Latin-1 seed ";
        if (name.StartsWith(utf8, StringComparison.Ordinal) || name.StartsWith(latin1, StringComparison.Ordinal))
        {
            bool isUtf8 = name.StartsWith(utf8, StringComparison.Ordinal);
            int seed = int.Parse(name[(isUtf8 ? utf8 : latin1).Length..], System.Globalization.CultureInfo.InvariantCulture);
            var bytes = new byte[20_000];
            new Random(seed).NextBytes(bytes);
            // Plenty of line breaks, so many lines are complete and reach the line checks.
            for (int i = 0; i < bytes.Length;)
            {
                int next = i + 1 + bytes[i] % 40;
                bytes[i] = (byte)'\n';
                i = next;
            }

            return isUtf8 ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);
        }

        throw new ArgumentException($"unknown corpus case '{name}'", nameof(name));
    }

    private static string Escape(string? text)
    {
        if (text is null)
        {
            return "null";
        }

        var escaped = new StringBuilder(Math.Min(text.Length, 400) + 2).Append('"');
        foreach (char c in text.Length > 400 ? text[..400] : text)
        {
            escaped.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return escaped.Append(text.Length > 400 ? "\"..." : "\"").ToString();
    }
}
