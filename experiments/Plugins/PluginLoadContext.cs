using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;

namespace Reasoning.Experiments.Plugins;

/// <summary>
/// The load context of one plug-in assembly. The contract is shared: an assembly the host has, or can
/// load from its own folder (Reasoning.Core, Reasoning.Policy, TorchSharp, Microsoft.Extensions.*...),
/// resolves to the default context's copy, so <c>IStrategy</c>, <c>PolicySession</c> and friends have one
/// type identity. Everything else the plug-in brings, managed or native, resolves from its own folder
/// through its <c>.deps.json</c> (<see cref="AssemblyDependencyResolver"/>).
/// <para>One context per assembly path, for the life of the process (not collectible): loading the same
/// path twice gives the same types.</para>
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly ConcurrentDictionary<string, PluginLoadContext> Contexts =
        new(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    private readonly AssemblyDependencyResolver _resolver;
    private readonly Lock _gate = new();
    private Assembly? _main;

    private PluginLoadContext(string assemblyPath)
        : base($"plug-in {Path.GetFileName(assemblyPath)}", isCollectible: false)
    {
        AssemblyPath = assemblyPath;
        _resolver = new AssemblyDependencyResolver(assemblyPath);
    }

    /// <summary>The plug-in assembly's full path.</summary>
    public string AssemblyPath { get; }

    /// <summary>The context of the assembly at <paramref name="fullPath"/> (made on first use).</summary>
    public static PluginLoadContext For(string fullPath) => Contexts.GetOrAdd(fullPath, path => new PluginLoadContext(path));

    /// <summary>
    /// The plug-in assembly itself, loaded on first call. When the host already has that very file loaded
    /// (a spec naming one of the runner's own assemblies), the host's copy is used.
    /// </summary>
    /// <exception cref="BadImageFormatException">The file is not a .NET assembly.</exception>
    public Assembly LoadMain()
    {
        lock (_gate)
        {
            return _main ??= Default.Assemblies.FirstOrDefault(a => !a.IsDynamic && PathComparer.Equals(a.Location, AssemblyPath))
                ?? LoadFromAssemblyPath(AssemblyPath);
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsSharedWithHost(assemblyName))
        {
            return null; // null: the default context's copy
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is not null && File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is not null && File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }

    private static StringComparer PathComparer => OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Whether the default context has the assembly or can load it from the app's folder or the framework.</summary>
    private static bool IsSharedWithHost(AssemblyName name)
    {
        try
        {
            // Returns the host's copy when it has one loaded; otherwise probes the host's own assemblies (its
            // deps.json: the app folder and the framework). A version newer than the host's fails here, and
            // the plug-in's copy is used instead.
            Default.LoadFromAssemblyName(name);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return false;
        }
    }
}
