using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Reasoning.Policy.Model;

namespace Reasoning.Policy.Checkpoints;

/// <summary>
/// The fields of a <see cref="TransformerConfig"/> are its constructor parameters. A checkpoint
/// stores exactly those (not derived values such as <see cref="TransformerConfig.HeadDimension"/>)
/// and names them when two configs differ, so a field added to the record is saved, compared and
/// reported without touching this folder.
/// </summary>
internal static class ConfigFields
{
    private static readonly PropertyInfo[] Properties = typeof(TransformerConfig).GetConstructors()
        .Single(c => c.GetParameters().Length > 1).GetParameters()
        .Select(p => typeof(TransformerConfig).GetProperty(p.Name!)
            ?? throw new InvalidOperationException($"TransformerConfig has no property for its constructor parameter {p.Name}"))
        .ToArray();

    /// <summary>One line per differing field: its name, the file's value and the expected one.</summary>
    public static IReadOnlyList<string> Differences(TransformerConfig file, TransformerConfig expected) =>
        Properties
            .Where(p => !Equals(p.GetValue(file), p.GetValue(expected)))
            .Select(p => $"{p.Name} is {Format(p.GetValue(file))} in the file but {Format(p.GetValue(expected))} in the model")
            .ToList();

    /// <summary>A System.Text.Json modifier: the config's JSON holds its constructor fields only.</summary>
    public static void KeepOnlyConstructorFields(JsonTypeInfo info)
    {
        if (info.Type != typeof(TransformerConfig))
        {
            return;
        }

        for (int i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i].AttributeProvider is not MemberInfo member || !Properties.Any(p => p.Name == member.Name))
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    private static string Format(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
}
