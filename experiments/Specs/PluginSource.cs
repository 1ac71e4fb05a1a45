using Reasoning.Experiments.Plugins;
using System.Security.Cryptography;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>Where a task or strategy comes from: a registered name, or a plug-in (<c>type</c> + <c>assembly</c>).</summary>
internal enum SourceKind
{
    Invalid,
    Registered,
    Plugin,
}

/// <summary>The choice between a registered name and a plug-in, shared by <c>task:</c> and each strategy.</summary>
internal static class PluginSource
{
    public const string TypeKey = "type";
    public const string AssemblyKey = "assembly";

    /// <summary>
    /// Which of <paramref name="nameKey"/> or <c>type</c> + <c>assembly</c> the mapping uses; reports both, neither,
    /// or half a plug-in. <paramref name="what"/> says what the name is ("a registered task: a, b").
    /// </summary>
    public static SourceKind Choose(MappingReader reader, string nameKey, string what)
    {
        bool named = reader.Has(nameKey);
        bool typed = reader.Has(TypeKey);
        bool assembly = reader.Has(AssemblyKey);
        if (named && (typed || assembly))
        {
            string second = typed ? TypeKey : AssemblyKey;
            reader.Errors.Add(reader.KeyNode(second)!, reader.PathOf(second),
                $"give either '{nameKey}' ({what}) or '{TypeKey}' + '{AssemblyKey}' (a plug-in), not both");
            return SourceKind.Invalid;
        }

        if (named)
        {
            return SourceKind.Registered;
        }

        if (typed != assembly)
        {
            reader.Missing(typed ? AssemblyKey : TypeKey, typed ? " (the plug-in's .dll, relative to the spec's folder)" : " (the plug-in's full type name)");
            return SourceKind.Invalid;
        }

        if (!typed)
        {
            reader.Errors.Add(reader.Node, reader.PathOf(nameKey),
                $"missing required key '{nameKey}' ({what}) or '{TypeKey}' + '{AssemblyKey}' (a plug-in)");
            return SourceKind.Invalid;
        }

        return SourceKind.Plugin;
    }

    /// <summary>The plug-in's type name and absolute assembly path, or false (errors recorded).</summary>
    public static bool TryRead(MappingReader reader, string baseFolder, out PluginReference plugin)
    {
        plugin = null!;
        bool ok = reader.TryRead(TypeKey, required: true, out string typeName) & reader.TryRead(AssemblyKey, required: true, out string assembly);
        if (!ok)
        {
            return false;
        }

        if (typeName.Trim().Length == 0)
        {
            reader.Errors.Add(reader.Value(TypeKey)!, reader.PathOf(TypeKey), "expected a full type name (Namespace.Type), got nothing");
            return false;
        }

        string path;
        try
        {
            path = Path.GetFullPath(Path.Combine(baseFolder, assembly));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            reader.Errors.Add(reader.Value(AssemblyKey)!, reader.PathOf(AssemblyKey), $"'{assembly}' is not a usable path: {e.Message}");
            return false;
        }

        plugin = new PluginReference(typeName, path);
        return true;
    }

    /// <summary>The first 16 hex digits of SHA-256 over the assembly file: which build of the plug-in ran.</summary>
    public static bool TryFingerprint(MappingReader reader, PluginReference plugin, out string fingerprint)
    {
        fingerprint = "";
        try
        {
            fingerprint = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(plugin.AssemblyPath)))[..16];
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            reader.Errors.Add(reader.Value(AssemblyKey)!, reader.PathOf(AssemblyKey), $"cannot read plug-in assembly '{plugin.AssemblyPath}': {e.Message}");
            return false;
        }
    }

    /// <summary>Reports a loader failure at the <c>type</c> value.</summary>
    public static void ReportLoadFailure(MappingReader reader, string kind, PluginReference plugin, string error)
    {
        YamlNode at = reader.Value(TypeKey) ?? reader.Node;
        reader.Errors.Add(at, reader.PathOf(TypeKey), $"could not load {kind} plug-in '{plugin.TypeName}' from '{plugin.AssemblyPath}': {error}");
    }

    /// <summary>
    /// Loads a plug-in with <paramref name="load"/>, reporting a loader failure (or a loader that throws) at the
    /// <c>type</c> key, and records the assembly's fingerprint for the spec's canonical text. Null on failure.
    /// </summary>
    public static T? Load<T>(MappingReader reader, SpecReading reading, PluginReference plugin, string what, Func<IPluginLoader, PluginLoad<T>> load)
        where T : class
    {
        PluginLoad<T> loaded;
        try
        {
            loaded = load(reading.Catalog.Plugins);
        }
        catch (Exception e)
        {
            loaded = PluginLoad<T>.Failure(e.Message);
        }

        if (loaded.Value is null)
        {
            ReportLoadFailure(reader, what, plugin, loaded.Error ?? "the loader gave no reason");
            return null;
        }

        if (!TryFingerprint(reader, plugin, out string fingerprint))
        {
            return null;
        }

        reading.Fingerprints[plugin.AssemblyPath] = fingerprint;
        return loaded.Value;
    }
}
