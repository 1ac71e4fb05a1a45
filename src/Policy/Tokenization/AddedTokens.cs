using System.Globalization;

namespace Reasoning.Policy.Tokenization;

/// <summary>One entry of tokenizer.json's <c>added_tokens</c> (or tokenizer_config.json's <c>added_tokens_decoder</c>).</summary>
internal sealed record AddedToken(int Id, string Content, bool Special, bool Normalized, bool LeftStrip, bool RightStrip, bool SingleWord);

/// <summary>A piece of the input: either text for the normalizer and the model, or one added token.</summary>
internal readonly record struct TextPiece(string Text, int? AddedTokenId);

/// <summary>
/// Finds added tokens ("&lt;|im_end|&gt;", "&lt;think&gt;") in text before anything else sees it, as
/// Hugging Face's AddedVocabulary does: leftmost-longest matches, first of the tokens with
/// <c>normalized: false</c> on the raw text, then of those with <c>normalized: true</c> on each
/// normalized piece in between; <c>single_word</c>, <c>lstrip</c> and <c>rstrip</c> as there.
/// </summary>
internal sealed class AddedTokens
{
    private readonly Matcher _raw;
    private readonly Matcher _normalized;

    public AddedTokens(IEnumerable<AddedToken> tokens, TextNormalizer? normalizer)
    {
        var all = tokens.Where(t => t.Content.Length > 0).ToList();
        _raw = new Matcher(all.Where(t => !t.Normalized).Select(t => (t.Content, t)));
        _normalized = new Matcher(all.Where(t => t.Normalized).Select(t => (normalizer?.Normalize(t.Content) ?? t.Content, t)));
    }

    /// <summary>The text cut into added tokens and normalized pieces of text between them, in order.</summary>
    public List<TextPiece> Split(string text, TextNormalizer? normalizer)
    {
        var pieces = new List<TextPiece>();
        foreach (var piece in _raw.Split(text))
        {
            if (piece.AddedTokenId is not null)
            {
                pieces.Add(piece);
                continue;
            }

            string normalized = normalizer?.Normalize(piece.Text) ?? piece.Text;
            pieces.AddRange(_normalized.Split(normalized));
        }

        return pieces;
    }

    /// <summary>Leftmost-longest matching of a fixed set of strings (a trie walked from each position).</summary>
    private sealed class Matcher
    {
        private readonly Node _root = new();
        private readonly bool _empty;

        public Matcher(IEnumerable<(string Pattern, AddedToken Token)> patterns)
        {
            _empty = true;
            foreach (var (pattern, token) in patterns)
            {
                if (pattern.Length == 0)
                {
                    continue;
                }

                var node = _root;
                foreach (char c in pattern)
                {
                    node.Children ??= [];
                    if (!node.Children.TryGetValue(c, out var child))
                    {
                        node.Children[c] = child = new Node();
                    }

                    node = child;
                }

                node.Token ??= token; // the first of two tokens with the same text wins
                _empty = false;
            }
        }

        public List<TextPiece> Split(string text)
        {
            if (_empty || text.Length == 0)
            {
                return text.Length == 0 ? [] : [new TextPiece(text, null)];
            }

            var pieces = new List<TextPiece>();
            int emitted = 0;
            int position = 0;
            while (position < text.Length)
            {
                if (!TryMatchAt(text, position, out int length, out var token))
                {
                    position++;
                    continue;
                }

                int start = position, stop = position + length;
                position = stop; // a discarded match is not searched again, as with Aho-Corasick's find_iter
                if (token.SingleWord && (start > 0 && IsWordChar(PointBefore(text, start)) || stop < text.Length && IsWordChar(PointAt(text, stop))))
                {
                    continue;
                }

                if (token.LeftStrip)
                {
                    while (start > emitted && char.IsWhiteSpace(text[start - 1]))
                    {
                        start--;
                    }
                }

                if (token.RightStrip)
                {
                    while (stop < text.Length && char.IsWhiteSpace(text[stop]))
                    {
                        stop++;
                    }

                    position = stop;
                }

                if (start > emitted)
                {
                    pieces.Add(new TextPiece(text[emitted..start], null));
                }

                pieces.Add(new TextPiece(text[start..stop], token.Id));
                emitted = stop;
            }

            if (emitted < text.Length)
            {
                pieces.Add(new TextPiece(text[emitted..], null));
            }

            return pieces;
        }

        private bool TryMatchAt(string text, int position, out int length, out AddedToken token)
        {
            length = 0;
            token = null!;
            var node = _root;
            for (int i = position; i < text.Length && node.Children is not null && node.Children.TryGetValue(text[i], out var child); i++)
            {
                node = child;
                if (node.Token is not null)
                {
                    length = i - position + 1;
                    token = node.Token;
                }
            }

            return length > 0;
        }

        /// <summary>Rust regex's <c>\w</c>, near enough: letters, marks, decimal digits, connector punctuation.</summary>
        private static bool IsWordChar(int point) => CharUnicodeInfo.GetUnicodeCategory(point) is
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or
            UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or
            UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber or
            UnicodeCategory.ConnectorPunctuation;

        private static int PointBefore(string text, int index) =>
            index >= 2 && char.IsSurrogatePair(text[index - 2], text[index - 1]) ? char.ConvertToUtf32(text[index - 2], text[index - 1]) : text[index - 1];

        private static int PointAt(string text, int index) =>
            index + 1 < text.Length && char.IsSurrogatePair(text[index], text[index + 1]) ? char.ConvertToUtf32(text[index], text[index + 1]) : text[index];

        private sealed class Node
        {
            public Dictionary<char, Node>? Children;
            public AddedToken? Token;
        }
    }
}
