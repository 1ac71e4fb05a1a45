using System.Text;
using Reasoning.Core.Solutions;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// A character-level tokenizer with four special tokens. The newline that ends a line of the
/// solution text format becomes <see cref="EndOfAnswer"/> after an answer line and
/// <see cref="EndOfStep"/> after any other line (the question line included), so a sampler can
/// stop after one step or after the answer; both decode back to a newline.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    public const int Padding = 0;
    public const int Begin = 1;
    public const int EndOfStep = 2;
    public const int EndOfAnswer = 3;
    private const int FirstCharacter = 4;

    private readonly Dictionary<char, int> _ids;

    /// <summary>The characters, in id order from <see cref="FirstCharacter"/> on.</summary>
    public string Characters { get; }

    public int VocabularySize => FirstCharacter + Characters.Length;

    /// <param name="characters">Every character the tokenizer must encode (duplicates and newlines are ignored).</param>
    public CharTokenizer(string characters)
    {
        Characters = new string(characters.Where(c => c != '\n' && c != '\r').Distinct().Order().ToArray());
        _ids = Characters.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => FirstCharacter + p.i);
    }

    /// <summary>A tokenizer for the given tasks' alphabets plus the solution format's own characters.</summary>
    public static CharTokenizer ForAlphabets(IEnumerable<string> alphabets) =>
        new(string.Concat(alphabets) + SolutionText.Alphabet);

    /// <summary>
    /// Encodes text in the solution format. Does not add <see cref="Begin"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A character is not in the vocabulary; the message names it and its position.</exception>
    public List<int> Encode(string text)
    {
        var ids = new List<int>(text.Length);
        int lineStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n')
            {
                ids.Add(SolutionText.IsAnswerLine(text.AsSpan(lineStart, i - lineStart)) ? EndOfAnswer : EndOfStep);
                lineStart = i + 1;
            }
            else if (_ids.TryGetValue(c, out int id))
            {
                ids.Add(id);
            }
            else
            {
                throw new ArgumentException(
                    $"the tokenizer cannot encode {Describe(c)} at position {i} of \"{Excerpt(text, i)}\"; its characters are \"{Characters}\"",
                    nameof(text));
            }
        }

        return ids;
    }

    /// <summary>The ids of a question as a prompt: <see cref="Begin"/>, the question, <see cref="EndOfStep"/>.</summary>
    public List<int> EncodePrompt(string question)
    {
        var ids = new List<int>(question.Length + 2) { Begin };
        ids.AddRange(Encode(question));
        ids.Add(EndOfStep);
        return ids;
    }

    /// <summary>
    /// The question line and the lines written after it so far, as the policy reads them before it writes the
    /// next line: <see cref="EncodePrompt"/> followed by each line and its end token.
    /// </summary>
    public List<int> EncodePrefix(string question, IEnumerable<string> lines)
    {
        List<int> ids = EncodePrompt(question);
        ids.AddRange(Encode(SolutionText.RenderLines(lines)));
        return ids;
    }

    /// <summary>None: the answer line's own end token stops a row.</summary>
    public IReadOnlyList<int> EndOfCompletion => [];

    /// <summary>The line-end tokens are the stop tokens: <see cref="EndOfAnswer"/> ends the solution, <see cref="EndOfStep"/> a step.</summary>
    public TokenStop StopAfter(IReadOnlyList<int> generated) => generated.Count == 0 ? TokenStop.None : generated[^1] switch
    {
        EndOfAnswer => TokenStop.EndOfAnswer,
        EndOfStep => TokenStop.EndOfStep,
        _ => TokenStop.None,
    };

    /// <summary>Decodes ids; both line ends become a newline, <see cref="Begin"/> and padding vanish. Never throws.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            if (id is EndOfStep or EndOfAnswer)
            {
                text.Append('\n');
            }
            else if (id >= FirstCharacter && id < VocabularySize)
            {
                text.Append(Characters[id - FirstCharacter]);
            }
            else if (id is not (Padding or Begin))
            {
                text.Append('\uFFFD');
            }
        }

        return text.ToString();
    }

    private static string Describe(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";

    private static string Excerpt(string text, int at)
    {
        int start = Math.Max(0, at - 20);
        return text.Substring(start, Math.Min(40, text.Length - start)).Replace("\n", "\\n");
    }
}
