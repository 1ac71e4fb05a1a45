using Reasoning.Core.Problems;

namespace Reasoning.Policy.Training;

/// <summary>
/// Draws training batches in epochs: every example once per pass, in an order shuffled afresh from a seeded
/// stream at the start of each pass; a batch may straddle two passes. Deterministic for a seed.
/// </summary>
public sealed class EpochBatches<T>(IReadOnlyList<T> examples, DeterministicRandom random)
{
    private readonly int[] _order = Enumerable.Range(0, examples.Count).ToArray();
    private int _cursor = examples.Count;

    /// <summary>The next <paramref name="batchSize"/> examples (all of them when there are fewer).</summary>
    public List<T> Next(int batchSize)
    {
        var batch = new List<T>(batchSize);
        while (batch.Count < Math.Min(batchSize, examples.Count))
        {
            if (_cursor == _order.Length)
            {
                random.Shuffle(_order);
                _cursor = 0;
            }

            batch.Add(examples[_order[_cursor++]]);
        }

        return batch;
    }

    /// <summary>Draws and discards <paramref name="batches"/> batches: a loop resumed at that step sees the batches it would have.</summary>
    public void Skip(int batches, int batchSize)
    {
        for (int i = 0; i < batches; i++)
        {
            _ = Next(batchSize);
        }
    }
}
