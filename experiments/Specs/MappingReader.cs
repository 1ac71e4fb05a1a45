using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// One mapping of a spec with a fixed set of allowed keys. On construction it reports keys that are not allowed
/// (suggesting the nearest allowed one) and keys that are not plain text; then it hands out values by key,
/// converted and with errors that point at the value (or, for a missing key, at the mapping).
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    public MappingReader(YamlMappingNode node, string path, IReadOnlyList<string> allowed, SpecErrors errors)
    {
        Node = node;
        Path = path;
        Errors = errors;
        foreach ((YamlNode key, YamlNode value) in node.Children)
        {
            if (key is not YamlScalarNode { Value: { } name } scalar || YamlValues.IsNull(key))
            {
                errors.Add(key, path, $"expected a key (plain text), got {YamlValues.Describe(key)}");
            }
            else if (!allowed.Contains(name))
            {
                errors.Add(key, KeyPath.Child(path, name), UnknownKey(name, allowed));
            }
            else
            {
                _entries[name] = (scalar, value);
            }
        }
    }

    /// <summary><c>unknown key 'difficuly'; did you mean 'difficulty'? allowed: kind, ...</c> (no suggestion when none is close).</summary>
    public static string UnknownKey(string name, IReadOnlyList<string> allowed) =>
        Nearest.Unknown("key", name, allowed, "allowed");

    public YamlMappingNode Node { get; }

    /// <summary>The mapping's own key path (empty at the top level).</summary>
    public string Path { get; }

    public SpecErrors Errors { get; }

    public string PathOf(string key) => KeyPath.Child(Path, key);

    public bool Has(string key) => _entries.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/>, or null when it is absent.</summary>
    public YamlNode? Value(string key) => _entries.TryGetValue(key, out var entry) ? entry.Value : null;

    /// <summary>The key node of <paramref name="key"/>, or null when it is absent.</summary>
    public YamlScalarNode? KeyNode(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key : null;

    /// <summary>Reports <paramref name="key"/> as missing, at the mapping.</summary>
    public void Missing(string key, string hint = "") => Errors.Add(Node, PathOf(key), $"missing required key '{key}'{hint}");

    /// <summary>
    /// The value of <paramref name="key"/> converted to <typeparamref name="T"/>. False when the key is absent
    /// (an error if <paramref name="required"/>) or its value is not a <typeparamref name="T"/> (an error).
    /// </summary>
    public bool TryRead<T>(string key, bool required, out T value)
    {
        value = default!;
        if (Value(key) is not { } node)
        {
            if (required)
            {
                Missing(key);
            }

            return false;
        }

        if (!YamlValues.TryConvert(node, typeof(T), allowNull: false, PathOf(key), Errors, out object? converted) || converted is null)
        {
            return false;
        }

        value = (T)converted;
        return true;
    }

    /// <summary>The value of <paramref name="key"/> as a mapping; false (with an error) when it is something else, false when absent.</summary>
    public bool TryReadMapping(string key, bool required, out YamlMappingNode mapping, string allowedKeys)
    {
        mapping = null!;
        if (Value(key) is not { } node)
        {
            if (required)
            {
                Missing(key);
            }

            return false;
        }

        if (node is not YamlMappingNode m)
        {
            Errors.Add(node, PathOf(key), $"expected a mapping with keys {allowedKeys}, got {YamlValues.Describe(node)}");
            return false;
        }

        mapping = m;
        return true;
    }
}
