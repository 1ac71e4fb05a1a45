using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Policy.Model;

/// <summary>
/// Keys and values of every layer, preallocated for the whole generation and written in place
/// (no concatenation per token: at batch 1 per-op overhead, not FLOPs, sets the speed).
/// Shapes: [B, kv heads, capacity, head dim] per layer.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    public KvCache(TransformerConfig config, long batch, long capacity, ScalarType dtype, Device device)
    {
        Capacity = capacity;
        _keys = new Tensor[config.Layers];
        _values = new Tensor[config.Layers];
        for (int i = 0; i < config.Layers; i++)
        {
            _keys[i] = zeros(new[] { batch, config.KvHeads, capacity, config.HeadDimension }, dtype, device).DetachFromDisposeScope();
            _values[i] = zeros(new[] { batch, config.KvHeads, capacity, config.HeadDimension }, dtype, device).DetachFromDisposeScope();
        }
    }

    public long Capacity { get; }

    /// <summary>Positions filled so far (the same for every row: prompts are left-padded).</summary>
    public long Length { get; internal set; }

    public long Batch => _keys[0].shape[0];

    /// <summary>Bytes held by the cache.</summary>
    public long Bytes => _keys.Sum(k => k.NumberOfElements * k.ElementSize) * 2;

    /// <summary>Writes this step's keys and values at [Length, Length + T) and returns views of everything so far.</summary>
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        long t = keys.shape[2];                                        // keys, values: [B, Hkv, T, Dh]
        if (Length + t > Capacity)
        {
            throw new InvalidOperationException($"the KV cache holds {Capacity} positions; {Length + t} were asked for");
        }

        _keys[layer].narrow(2, Length, t).copy_(keys);
        _values[layer].narrow(2, Length, t).copy_(values);
        return (_keys[layer].narrow(2, 0, Length + t), _values[layer].narrow(2, 0, Length + t)); // [B, Hkv, Length+T, Dh]
    }

    /// <summary>Keeps only the given rows (finished rows stop costing compute).</summary>
    internal void SelectRows(Tensor rows)
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            Tensor k = _keys[i].index_select(0, rows).DetachFromDisposeScope();
            Tensor v = _values[i].index_select(0, rows).DetachFromDisposeScope();
            _keys[i].Dispose();
            _values[i].Dispose();
            _keys[i] = k;
            _values[i] = v;
        }
    }

    public void Dispose()
    {
        foreach (Tensor t in _keys.Concat(_values))
        {
            t.Dispose();
        }
    }
}
