using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Reasoning.Core.Options;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// Binds a YAML mapping onto a fresh options object (see <see cref="OptionsSchema"/> for the convention), then
/// validates it, reporting every problem at the node it comes from. Supported property types are those of
/// <see cref="YamlValues"/>; a property marked <see cref="RequiredAttribute"/> must be given.
/// </summary>
internal static class OptionsBinder
{
    /// <summary>
    /// A new <paramref name="optionsType"/> bound from <paramref name="node"/> (null: all defaults) and validated,
    /// with every problem located in <paramref name="file"/> under key path <paramref name="path"/>.
    /// </summary>
    public static OptionsBinding Bind(Type optionsType, YamlMappingNode? node, string file, string path)
    {
        var errors = new SpecErrors(file);
        object? options = Bind(optionsType, node, path, node?.Start ?? new Mark(0, 1, 1), errors);
        return new OptionsBinding(options, errors.Sorted());
    }

    /// <summary>
    /// A new <paramref name="optionsType"/> with the values of <paramref name="node"/> (null or an empty value: all
    /// defaults), or null when the type cannot be made. Problems are added to <paramref name="errors"/> with key
    /// paths under <paramref name="path"/>; those about an absent mapping are placed at <paramref name="absentAt"/>.
    /// </summary>
    public static object? Bind(Type optionsType, YamlNode? node, string path, Mark absentAt, SpecErrors errors)
    {
        object options;
        IReadOnlyList<OptionInfo> infos;
        try
        {
            options = OptionsSchema.CreateDefault(optionsType);
            infos = OptionsSchema.Describe(optionsType);
        }
        catch (Exception e) when (e is ArgumentException or MemberAccessException or TargetInvocationException)
        {
            errors.Add(absentAt, path, $"cannot make options of type {optionsType.FullName}: {(e as TargetInvocationException)?.InnerException?.Message ?? e.Message}");
            return null;
        }

        string[] keys = infos.Select(i => i.Key).ToArray();
        MappingReader? reader = null;
        if (node is YamlMappingNode mapping)
        {
            reader = new MappingReader(mapping, path, keys, errors);
        }
        else if (node is not null && !YamlValues.IsNull(node))
        {
            errors.Add(node, path, $"expected a mapping of options ({(keys.Length == 0 ? "none are allowed" : string.Join(", ", keys))}), got {YamlValues.Describe(node)}");
            return options;
        }

        var failed = new HashSet<string>(StringComparer.Ordinal);
        var nullability = new NullabilityInfoContext();
        foreach (OptionInfo info in infos)
        {
            if (reader?.Value(info.Key) is not { } value)
            {
                if (info.Property.GetCustomAttribute<RequiredAttribute>() is not null)
                {
                    errors.Add(node?.Start ?? absentAt, KeyPath.Child(path, info.Key), $"missing required key '{info.Key}'");
                    failed.Add(info.Key);
                }

                continue;
            }

            string keyPath = KeyPath.Child(path, info.Key);
            if (!YamlValues.IsSupported(info.Type))
            {
                errors.Add(value, keyPath, $"options of type {info.Type.Name} cannot be written in a spec");
                failed.Add(info.Key);
                continue;
            }

            bool allowNull = nullability.Create(info.Property).WriteState == NullabilityState.Nullable;
            if (!YamlValues.TryConvert(value, info.Type, allowNull, keyPath, errors, out object? converted))
            {
                failed.Add(info.Key);
                continue;
            }

            try
            {
                info.Property.SetValue(options, converted);
            }
            catch (TargetInvocationException e)
            {
                errors.Add(value, keyPath, $"not accepted: {e.InnerException?.Message ?? e.Message}");
                failed.Add(info.Key);
            }
        }

        // Rules are checked even when some values could not be bound (so one pass shows every problem), but not
        // for those keys: their complaint would be about the default left in place.
        foreach (OptionError error in OptionsSchema.Validate(options))
        {
            if (failed.Contains(error.Key) || (error.Key.Length == 0 && failed.Count > 0))
            {
                continue;
            }

            Mark at = (error.Key.Length > 0 ? reader?.Value(error.Key)?.Start : null) ?? node?.Start ?? absentAt;
            errors.Add(at, error.Key.Length > 0 ? KeyPath.Child(path, error.Key) : path, error.Message);
        }

        return options;
    }
}

/// <summary>An options object bound from YAML (null when its type cannot be made) and the problems found, by position.</summary>
internal sealed record OptionsBinding(object? Options, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Options is not null && Errors.Count == 0;
}
