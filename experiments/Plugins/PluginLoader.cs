using System.ComponentModel;
using System.Reflection;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;

namespace Reasoning.Experiments.Plugins;

/// <summary>
/// Loads strategy and task types from users' assemblies, each into its <see cref="PluginLoadContext"/>.
/// Every failure is one line that names the file (as an absolute path) and the type.
/// </summary>
internal sealed class PluginLoader : IPluginLoader
{
    /// <summary>How many of an assembly's strategies or tasks a "not found" error lists.</summary>
    private const int ListedTypes = 10;

    private static readonly PluginKind StrategyKind = new(typeof(IStrategy), "strategy", "strategies");
    private static readonly PluginKind TaskKind = new(typeof(IReasoningTask), "task", "tasks");

    public PluginLoad<StrategyDescriptor> LoadStrategy(string assemblyPath, string typeName)
    {
        (Type? type, string? error) = FindType(assemblyPath, typeName, StrategyKind);
        if (type is null)
        {
            return PluginLoad<StrategyDescriptor>.Failure(error!);
        }

        string where = Where(StrategyKind, typeName, type);
        ConstructorInfo[] constructors = type.GetConstructors();
        ConstructorInfo[] withOptions = constructors.Where(c => c.GetParameters().Length == 1).ToArray();
        if (withOptions.Length > 1)
        {
            return PluginLoad<StrategyDescriptor>.Failure($"{where} has {withOptions.Length} public one-parameter constructors; keep one, taking its options object");
        }

        string description = type.GetCustomAttribute<DescriptionAttribute>()?.Description is { Length: > 0 } text
            ? text
            : $"plug-in strategy from {Path.GetFileName(type.Assembly.Location)}";

        // Prefer the options constructor: a parameterless one beside it is usually there for serializers.
        if (withOptions.Length == 1)
        {
            ConstructorInfo constructor = withOptions[0];
            Type optionsType = constructor.GetParameters()[0].ParameterType;
            if (!optionsType.IsClass || optionsType.IsAbstract || optionsType == typeof(string) || optionsType.GetConstructor(Type.EmptyTypes) is null)
            {
                return PluginLoad<StrategyDescriptor>.Failure(
                    $"{where}: its constructor's parameter, options type {optionsType.FullName}, must be a class with a public parameterless constructor");
            }

            return PluginLoad<StrategyDescriptor>.Success(new StrategyDescriptor(type.FullName!, description, optionsType, options =>
            {
                if (!optionsType.IsInstanceOfType(options))
                {
                    throw new ArgumentException($"strategy {type.FullName} takes options of type {optionsType.FullName}, not {options?.GetType().FullName ?? "null"}", nameof(options));
                }

                return (IStrategy)Construct(constructor, [options]);
            }));
        }

        if (constructors.FirstOrDefault(c => c.GetParameters().Length == 0) is { } parameterless)
        {
            return PluginLoad<StrategyDescriptor>.Success(
                new StrategyDescriptor(type.FullName!, description, typeof(NoOptions), _ => (IStrategy)Construct(parameterless, [])));
        }

        return PluginLoad<StrategyDescriptor>.Failure($"{where} has no public constructor taking nothing or one options object");
    }

    public PluginLoad<IReasoningTask> LoadTask(string assemblyPath, string typeName)
    {
        (Type? type, string? error) = FindType(assemblyPath, typeName, TaskKind);
        if (type is null)
        {
            return PluginLoad<IReasoningTask>.Failure(error!);
        }

        string where = Where(TaskKind, typeName, type);
        if (type.GetConstructor(Type.EmptyTypes) is not { } constructor)
        {
            return PluginLoad<IReasoningTask>.Failure($"{where} has no public parameterless constructor");
        }

        try
        {
            return PluginLoad<IReasoningTask>.Success((IReasoningTask)Construct(constructor, []));
        }
        catch (Exception e)
        {
            return PluginLoad<IReasoningTask>.Failure($"{where}: its constructor threw {e.GetType().Name}: {OneLine(e.Message)}");
        }
    }

    /// <summary>
    /// The full names of the public, concrete strategy and task types in <paramref name="assemblyPath"/> (what a spec's
    /// <c>type:</c> may name), sorted; or why the assembly cannot be read.
    /// </summary>
    public (IReadOnlyList<string> Strategies, IReadOnlyList<string> Tasks, string? Error) TypesIn(string assemblyPath)
    {
        string fullPath = Path.GetFullPath(assemblyPath);
        if (!File.Exists(fullPath))
        {
            return ([], [], $"plug-in assembly not found: {fullPath}");
        }

        try
        {
            Assembly assembly = PluginLoadContext.For(fullPath).LoadMain();
            return (PublicTypesOf(assembly, StrategyKind), PublicTypesOf(assembly, TaskKind), null);
        }
        catch (BadImageFormatException)
        {
            return ([], [], $"{fullPath} is not a loadable .NET assembly");
        }
        catch (FileLoadException e)
        {
            return ([], [], $"{fullPath} could not be loaded: {OneLine(e.Message)}");
        }
    }

    /// <summary>The public, concrete type <paramref name="typeName"/> implementing the kind's interface, or why there is none.</summary>
    private static (Type? Type, string? Error) FindType(string assemblyPath, string typeName, PluginKind kind)
    {
        string fullPath = Path.GetFullPath(assemblyPath);
        if (!File.Exists(fullPath))
        {
            return (null, $"plug-in assembly not found: {fullPath} (looking for {kind.Noun} type '{typeName}')");
        }

        Assembly assembly;
        try
        {
            assembly = PluginLoadContext.For(fullPath).LoadMain();
        }
        catch (BadImageFormatException)
        {
            return (null, $"{fullPath} is not a loadable .NET assembly (looking for {kind.Noun} type '{typeName}')");
        }
        catch (FileLoadException e)
        {
            return (null, $"{fullPath} could not be loaded (looking for {kind.Noun} type '{typeName}'): {OneLine(e.Message)}");
        }

        string where = $"{kind.Noun} type '{typeName}' in {fullPath}";
        Type? type;
        try
        {
            type = assembly.GetType(typeName, throwOnError: false);
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return (null, $"{where} could not be loaded: {OneLine(e.Message)}");
        }

        if (type is null)
        {
            IReadOnlyList<string> known = PublicTypesOf(assembly, kind);
            string listed = known.Count == 0
                ? $"it has no public {kind.Plural}"
                : $"its public {kind.Plural}: {string.Join(", ", known.Take(ListedTypes))}{(known.Count > ListedTypes ? $" and {known.Count - ListedTypes} more" : "")}";
            return (null, $"{kind.Noun} type '{typeName}' not found in {fullPath}; {listed}");
        }

        if (!kind.Contract.IsAssignableFrom(type))
        {
            // Same name, other type: the plug-in's folder had its own Reasoning.Core and it was loaded instead of the host's.
            Type? lookalike = type.GetInterfaces().FirstOrDefault(i => i.FullName == kind.Contract.FullName);
            string contractAssembly = kind.Contract.Assembly.GetName().Name!;
            return (null, lookalike is null
                ? $"{where} does not implement {kind.Contract.FullName}"
                : $"{where} implements {kind.Contract.FullName} from another copy of {contractAssembly} ({lookalike.Assembly.Location}): " +
                  $"the plug-in bundles its own copy of {contractAssembly} and must reference it with Private=false / ExcludeAssets=runtime");
        }

        if (!type.IsVisible)
        {
            return (null, $"{where} is not public");
        }

        if (type.IsAbstract || type.IsInterface || type.ContainsGenericParameters)
        {
            return (null, $"{where} is {(type.ContainsGenericParameters && !type.IsAbstract ? "an open generic type" : "abstract")}; name a concrete class");
        }

        return (type, null);
    }

    /// <summary>Full names of the assembly's public, concrete types of the kind, sorted; as many as load.</summary>
    private static IReadOnlyList<string> PublicTypesOf(Assembly assembly, PluginKind kind)
    {
        Type?[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types;
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException)
        {
            return [];
        }

        return types
            .Where(t => t is { IsVisible: true, IsAbstract: false, IsInterface: false, ContainsGenericParameters: false } && kind.Contract.IsAssignableFrom(t))
            .Select(t => t!.FullName!)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Calls the constructor; an exception it throws comes out as itself, not wrapped.</summary>
    private static object Construct(ConstructorInfo constructor, object?[] arguments) =>
        constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);

    private static string Where(PluginKind kind, string typeName, Type type) =>
        $"{kind.Noun} type '{typeName}' in {type.Assembly.Location}";

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    /// <param name="Contract">The interface a plug-in type implements.</param>
    /// <param name="Noun">"strategy" or "task", for messages.</param>
    /// <param name="Plural">"strategies" or "tasks".</param>
    private sealed record PluginKind(Type Contract, string Noun, string Plural);
}
