using System.Collections.Concurrent;
using System.Text;

namespace Reasoning.Policy.Tokenization;

/// <summary>
/// A tokenizer.json <c>model</c> of type <c>BPE</c> (Sennrich et al. 2016), with Hugging Face's
/// semantics: a word starts as one symbol per character (or its <c>byte_fallback</c> byte tokens, or
/// <c>unk_token</c>), then the adjacent pair of lowest merge rank is merged, the leftmost first, until
/// no ranked pair is left. <c>ignore_merges</c> (Llama 3) takes a word found whole in the vocabulary
/// as it is. Results are cached per word.
/// </summary>
internal sealed class BytePairModel
{
    private const int CacheCapacity = 200_000;
    private const int MaxCachedWordLength = 256;

    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<long, (int Rank, int Id)> _merges;
    private readonly string? _prefix;
    private readonly string? _suffix;
    private readonly int? _unknownId;
    private readonly bool _fuseUnknown;
    private readonly bool _byteFallback;
    private readonly bool _ignoreMerges;
    private readonly int[]? _byteTokenIds;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    /// <param name="vocabulary">Token text to id.</param>
    /// <param name="merges">The merges in rank order, each a pair of vocabulary tokens.</param>
    /// <exception cref="ArgumentException">A merge names a token that is not in the vocabulary; the message names it.</exception>
    public BytePairModel(
        Dictionary<string, int> vocabulary,
        IReadOnlyList<(string Left, string Right)> merges,
        string? continuingSubwordPrefix,
        string? endOfWordSuffix,
        string? unknownToken,
        bool fuseUnknown,
        bool byteFallback,
        bool ignoreMerges)
    {
        _vocabulary = vocabulary;
        _lookup = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefix = string.IsNullOrEmpty(continuingSubwordPrefix) ? null : continuingSubwordPrefix;
        _suffix = string.IsNullOrEmpty(endOfWordSuffix) ? null : endOfWordSuffix;
        _unknownId = unknownToken is not null && vocabulary.TryGetValue(unknownToken, out int unk) ? unk : null;
        _fuseUnknown = fuseUnknown;
        _byteFallback = byteFallback;
        _ignoreMerges = ignoreMerges;
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            int leftId = IdOrThrow(left, rank);
            int rightId = IdOrThrow(right, rank);
            string merged = left + (_prefix is not null && right.StartsWith(_prefix, StringComparison.Ordinal) ? right[_prefix.Length..] : right);
            int mergedId = IdOrThrow(merged, rank);
            _merges[Key(leftId, rightId)] = (rank, mergedId); // a repeated pair keeps its last rank, as in Hugging Face's map
        }

        if (byteFallback)
        {
            _byteTokenIds = new int[256];
            for (int b = 0; b < 256; b++)
            {
                _byteTokenIds[b] = vocabulary.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
            }
        }
    }

    /// <summary>Appends the ids of one pre-tokenized word.</summary>
    public void Encode(string word, List<int> output)
    {
        if (word.Length == 0)
        {
            return;
        }

        if (_ignoreMerges && _vocabulary.TryGetValue(word, out int whole))
        {
            output.Add(whole);
            return;
        }

        if (_cache.TryGetValue(word, out int[]? cached))
        {
            output.AddRange(cached);
            return;
        }

        int[] ids = Merge(word);
        if (word.Length < MaxCachedWordLength)
        {
            if (_cache.Count >= CacheCapacity)
            {
                _cache.Clear();
            }

            _cache.TryAdd(word, ids);
        }

        output.AddRange(ids);
    }

    private int[] Merge(string word)
    {
        var symbols = new List<int>(word.Length);
        int? pendingUnknown = null;
        for (int i = 0; i < word.Length;)
        {
            int length = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            bool first = i == 0, last = i + length == word.Length;
            ReadOnlySpan<char> character = word.AsSpan(i, length);
            i += length;
            if (TryCharacterId(character, first, last, out int id))
            {
                if (pendingUnknown is int unknown)
                {
                    symbols.Add(unknown);
                    pendingUnknown = null;
                }

                symbols.Add(id);
                continue;
            }

            if (_byteTokenIds is not null && TryAddBytes(character, first, last, symbols))
            {
                continue;
            }

            if (_unknownId is int unk)
            {
                if (pendingUnknown is int previous && !_fuseUnknown)
                {
                    symbols.Add(previous);
                }

                pendingUnknown = unk;
            }

            // Neither in the vocabulary nor representable and no unknown token: Hugging Face drops the character.
        }

        if (pendingUnknown is int trailing)
        {
            symbols.Add(trailing);
        }

        return MergeAll(symbols);
    }

    private bool TryCharacterId(ReadOnlySpan<char> character, bool first, bool last, out int id)
    {
        if ((first || _prefix is null) && (!last || _suffix is null))
        {
            return _lookup.TryGetValue(character, out id);
        }

        return _vocabulary.TryGetValue(Decorate(character.ToString(), first, last), out id);
    }

    private bool TryAddBytes(ReadOnlySpan<char> character, bool first, bool last, List<int> symbols)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Decorate(character.ToString(), first, last));
        if (bytes.Any(b => _byteTokenIds![b] < 0))
        {
            return false;
        }

        symbols.AddRange(bytes.Select(b => _byteTokenIds![b]));
        return true;
    }

    private string Decorate(string character, bool first, bool last) =>
        (first || _prefix is null ? "" : _prefix) + character + (last && _suffix is not null ? _suffix : "");

    /// <summary>Hugging Face's Word::merge_all: a min-queue of (rank, position), stale entries skipped.</summary>
    private int[] MergeAll(List<int> ids)
    {
        int n = ids.Count;
        if (n < 2)
        {
            return ids.ToArray();
        }

        int[] symbol = ids.ToArray();
        var next = new int[n];
        var previous = new int[n];
        var removed = new bool[n];
        var queue = new PriorityQueue<(int Position, int Id), (int Rank, int Position)>();
        for (int i = 0; i < n; i++)
        {
            previous[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n && _merges.TryGetValue(Key(symbol[i], symbol[i + 1]), out var merge))
            {
                queue.Enqueue((i, merge.Id), (merge.Rank, i));
            }
        }

        while (queue.TryDequeue(out var top, out _))
        {
            int position = top.Position;
            if (removed[position] || next[position] < 0)
            {
                continue;
            }

            int right = next[position];
            if (!_merges.TryGetValue(Key(symbol[position], symbol[right]), out var current) || current.Id != top.Id)
            {
                continue;
            }

            symbol[position] = top.Id;
            removed[right] = true;
            next[position] = next[right];
            if (next[right] >= 0)
            {
                previous[next[right]] = position;
            }

            if (previous[position] >= 0 && _merges.TryGetValue(Key(symbol[previous[position]], symbol[position]), out var before))
            {
                queue.Enqueue((previous[position], before.Id), (before.Rank, previous[position]));
            }

            if (next[position] >= 0 && _merges.TryGetValue(Key(symbol[position], symbol[next[position]]), out var after))
            {
                queue.Enqueue((position, after.Id), (after.Rank, position));
            }
        }

        var result = new List<int>(n);
        for (int i = 0; i < n; i++)
        {
            if (!removed[i])
            {
                result.Add(symbol[i]);
            }
        }

        return result.ToArray();
    }

    private int IdOrThrow(string token, int rank) =>
        _vocabulary.TryGetValue(token, out int id)
            ? id
            : throw new ArgumentException($"merge {rank} ('{token}') names a token that is not in the vocabulary");

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
