using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Plugins;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>
/// A plug-in loader that knows a fixed set of types by name and loads nothing from disk. Like the real one it
/// fails for a missing assembly file; every call is recorded.
/// </summary>
internal sealed class FakePluginLoader : IPluginLoader
{
    public Dictionary<string, StrategyDescriptor> Strategies { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, IReasoningTask> Tasks { get; } = new(StringComparer.Ordinal);

    public List<(string AssemblyPath, string TypeName)> Calls { get; } = [];

    /// <summary>When set, every load throws this (a broken loader; the spec loader must report, not propagate).</summary>
    public Exception? Throws { get; set; }

    public PluginLoad<StrategyDescriptor> LoadStrategy(string assemblyPath, string typeName) =>
        Load(assemblyPath, typeName, Strategies, "IStrategy");

    public PluginLoad<IReasoningTask> LoadTask(string assemblyPath, string typeName) =>
        Load(assemblyPath, typeName, Tasks, "IReasoningTask");

    private PluginLoad<T> Load<T>(string assemblyPath, string typeName, Dictionary<string, T> known, string contract)
        where T : class
    {
        Calls.Add((assemblyPath, typeName));
        if (Throws is not null)
        {
            throw Throws;
        }

        if (!File.Exists(assemblyPath))
        {
            return PluginLoad<T>.Failure($"assembly file not found: {assemblyPath}");
        }

        return known.TryGetValue(typeName, out T? value)
            ? PluginLoad<T>.Success(value)
            : PluginLoad<T>.Failure($"no public {contract} type '{typeName}' in {Path.GetFileName(assemblyPath)}");
    }
}
