using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Policy.Model;

/// <summary>
/// Keys and values of every layer, preallocated for the whole generation and written in place
/// (no concatenation per token: at batch 1 per-op overhead, not FLOPs, sets the speed).
/// Per layer one tensor [B, 2·kv heads, capacity, head dim]: keys in the first kv heads, values in
/// the rest, so one copy writes both. Attention always reads the whole capacity through fixed views,
/// and an additive mask (built once per forward pass, not per layer) hides what is not written yet.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly long _kvHeads;
    private readonly Tensor[] _entries;
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;
    private readonly Tensor _causalBias;
    private readonly Scalar _blocked;

    public KvCache(TransformerConfig config, long batch, long capacity, ScalarType dtype, Device device)
    {
        Capacity = capacity;
        _kvHeads = config.KvHeads;
        _entries = new Tensor[config.Layers];
        _keys = new Tensor[config.Layers];
        _values = new Tensor[config.Layers];
        for (int i = 0; i < config.Layers; i++)
        {
            _entries[i] = zeros(new[] { batch, 2 * _kvHeads, capacity, config.HeadDimension }, dtype, device).DetachFromDisposeScope();
        }

        CreateViews();
        _blocked = double.NegativeInfinity.ToScalar();
        using var scope = NewDisposeScope();
        // Query at position i sees keys 0..i: 0 on and below the diagonal, −∞ above it.
        _causalBias = zeros(new[] { capacity, capacity }, dtype, device)
            .masked_fill_(ones(new[] { capacity, capacity }, ScalarType.Bool, device).triu(1), _blocked)
            .DetachFromDisposeScope();                                                  // [capacity, capacity]
    }

    public long Capacity { get; }

    /// <summary>Positions filled so far (the same for every row: prompts are left-padded).</summary>
    public long Length { get; internal set; }

    public long Batch => _entries[0].shape[0];

    /// <summary>Bytes held by the cache.</summary>
    public long Bytes => _entries.Sum(e => e.NumberOfElements * e.ElementSize);

    /// <summary>
    /// Writes this step's <paramref name="t"/> keys and values, [B, 2G, T, D] (keys first), at [Length, Length + T) and
    /// returns views of the whole capacity, [B, G, capacity, D] each; <see cref="AttentionBias"/> hides the unwritten part.
    /// </summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keysAndValues, long t)
    {
        if (Length + t > Capacity)
        {
            throw new InvalidOperationException($"the KV cache holds {Capacity} positions; {Length + t} were asked for");
        }

        _entries[layer].narrow(2, Length, t).copy_(keysAndValues);
        return (_keys[layer], _values[layer]);
    }

    /// <summary>
    /// The additive attention mask of the next <paramref name="t"/> positions over the whole capacity:
    /// causal (position Length + i sees keys up to itself), and where <paramref name="mask"/> ([B, 1, T, L]
    /// or [B, 1, T, capacity], true = may attend) forbids a key, −∞. [1 or B, 1, T, capacity].
    /// </summary>
    internal Tensor AttentionBias(Tensor? mask, long t)
    {
        if (Length + t > Capacity)
        {
            throw new InvalidOperationException($"the KV cache holds {Capacity} positions; {Length + t} were asked for");
        }

        Tensor causal = _causalBias.narrow(0, Length, t).view(1, 1, t, Capacity);          // [1, 1, T, capacity]
        if (mask is null)
        {
            return causal;
        }

        long[] shape = mask.shape;
        Tensor allowed = mask;
        if (shape[3] != Capacity)
        {
            allowed = zeros(new[] { shape[0], 1, t, Capacity }, ScalarType.Bool, mask.device); // [B, 1, T, capacity]
            allowed.narrow(3, 0, shape[3]).copy_(mask);
        }

        return causal.masked_fill(allowed.logical_not(), _blocked);                          // [B, 1, T, capacity]
    }

    /// <summary>Keeps only the given rows (finished rows stop costing compute).</summary>
    internal void SelectRows(Tensor rows)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            Tensor kept = _entries[i].index_select(0, rows).DetachFromDisposeScope();
            _entries[i].Dispose();
            _keys[i].Dispose();
            _values[i].Dispose();
            _entries[i] = kept;
        }

        CreateViews();
    }

    private void CreateViews()
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            _keys[i] = _entries[i].narrow(1, 0, _kvHeads).DetachFromDisposeScope();         // [B, G, capacity, D]
            _values[i] = _entries[i].narrow(1, _kvHeads, _kvHeads).DetachFromDisposeScope(); // [B, G, capacity, D]
        }
    }

    public void Dispose()
    {
        foreach (Tensor t in _entries.Concat(_keys).Concat(_values))
        {
            t.Dispose();
        }

        _causalBias.Dispose();
        _blocked.Dispose();
    }
}
