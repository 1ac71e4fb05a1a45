using System.Collections.Concurrent;
using Reasoning.Core.Strategies;
using Reasoning.Experiments.Records;
using Reasoning.Policy.Hosting;

namespace Reasoning.Experiments.Runner;

/// <summary>
/// The per-unit state that dependency injection hands to a strategy: the runner opens one service scope per
/// unit of work and sets the scope's <see cref="Session"/>, so <c>PolicySession</c> resolves to that unit's
/// base policy and nothing else (test problems are never registered anywhere).
/// </summary>
internal sealed class UnitScope
{
    public PolicySession? Session { get; set; }

    public PolicySession RequireSession() =>
        Session ?? throw new InvalidOperationException("PolicySession is only available inside a unit of work started by the experiment runner");
}

/// <summary>Collects a unit's training curves, in the order they arrive, as records.</summary>
internal sealed class CurveCollector(long seed, string label) : IMetricLog
{
    private readonly ConcurrentQueue<CurvePoint> _points = new();

    public void Record(string name, int step, double value)
    {
        if (!string.IsNullOrWhiteSpace(name) && double.IsFinite(value))
        {
            _points.Enqueue(new CurvePoint(seed, label, name, step, value));
        }
    }

    public IReadOnlyList<CurvePoint> Points => _points.ToArray();
}
