using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;

namespace Reasoning.Experiments.Plugins;

/// <summary>The result of loading a plug-in type: a value, or an error that says what went wrong and where.</summary>
internal sealed record PluginLoad<T>(T? Value, string? Error)
    where T : class
{
    public static PluginLoad<T> Success(T value) => new(value, null);

    public static PluginLoad<T> Failure(string error) => new(null, error);
}

/// <summary>
/// Loads strategies and tasks from users' assemblies, each assembly into its own
/// <see cref="System.Runtime.Loader.AssemblyLoadContext"/> that shares the contract assemblies
/// (Reasoning.Core, Reasoning.Policy and what they depend on) with the host.
/// </summary>
internal interface IPluginLoader
{
    /// <summary>
    /// A descriptor for strategy type <paramref name="typeName"/> in <paramref name="assemblyPath"/> (absolute).
    /// The type implements <see cref="IStrategy"/> and has a public constructor taking either nothing or one
    /// options object (bound from the spec's <c>options:</c> like a built-in strategy's).
    /// Fails, with a clear error, when the file is missing, the type is not there, or it is not a strategy.
    /// A constructor that throws fails later, in <see cref="StrategyDescriptor.Create"/>, with the plug-in's message.
    /// </summary>
    PluginLoad<StrategyDescriptor> LoadStrategy(string assemblyPath, string typeName);

    /// <summary>Task type <paramref name="typeName"/> (an <see cref="IReasoningTask"/> with a public parameterless constructor), constructed.</summary>
    PluginLoad<IReasoningTask> LoadTask(string assemblyPath, string typeName);
}
