using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Reasoning.Core.Options;

/// <summary>One option of an options class, as a spec and <c>list</c> show it.</summary>
/// <param name="Key">The YAML key: the property name in snake_case.</param>
/// <param name="Property">The property it binds.</param>
/// <param name="Default">The value of a freshly constructed options object.</param>
/// <param name="Description">What it means (<see cref="DescriptionAttribute"/>), or empty.</param>
/// <param name="Allowed">What values are allowed, in words (from <see cref="RangeAttribute"/>, <see cref="AllowedValuesAttribute"/> or the type).</param>
public sealed record OptionInfo(string Key, PropertyInfo Property, object? Default, string Description, string Allowed)
{
    public Type Type => Property.PropertyType;
}

/// <summary>A problem with one option's value.</summary>
/// <param name="Key">The YAML key (snake_case).</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record OptionError(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";
}

/// <summary>
/// The options convention shared by strategies, tasks and the runner: a class with a public parameterless
/// constructor, public settable properties (YAML keys are their names in snake_case), defaults from the
/// initialisers, <see cref="DescriptionAttribute"/> for meaning, <see cref="RangeAttribute"/> and
/// <see cref="AllowedValuesAttribute"/> for what is allowed, <see cref="IValidatableObject"/> for rules that
/// involve several options.
/// </summary>
public static class OptionsSchema
{
    /// <summary><c>MaxNewTokens</c> → <c>max_new_tokens</c>; <c>TopP</c> → <c>top_p</c>.</summary>
    public static string KeyOf(string propertyName)
    {
        var key = new StringBuilder(propertyName.Length + 4);
        for (int i = 0; i < propertyName.Length; i++)
        {
            char c = propertyName[i];
            if (char.IsUpper(c))
            {
                bool wordStart = i > 0 && (char.IsLower(propertyName[i - 1]) || char.IsDigit(propertyName[i - 1])
                    || (i + 1 < propertyName.Length && char.IsLower(propertyName[i + 1]) && char.IsUpper(propertyName[i - 1])));
                if (wordStart)
                {
                    key.Append('_');
                }

                key.Append(char.ToLowerInvariant(c));
            }
            else
            {
                key.Append(c);
            }
        }

        return key.ToString();
    }

    /// <summary>The bindable options of <paramref name="optionsType"/>, in declaration order.</summary>
    /// <exception cref="ArgumentException">The type has no public parameterless constructor.</exception>
    public static IReadOnlyList<OptionInfo> Describe(Type optionsType)
    {
        object defaults = CreateDefault(optionsType);
        return BindableProperties(optionsType)
            .Select(p => new OptionInfo(
                KeyOf(p.Name),
                p,
                p.GetValue(defaults),
                p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "",
                AllowedOf(p)))
            .ToList();
    }

    /// <summary>A fresh options object with every default.</summary>
    public static object CreateDefault(Type optionsType)
    {
        if (optionsType.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"options type {optionsType.FullName} needs a public parameterless constructor");
        }

        return Activator.CreateInstance(optionsType)!;
    }

    /// <summary>A copy of <paramref name="options"/> (a fresh object, every bindable option copied) with the option <paramref name="key"/> set to <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The type has no option <paramref name="key"/>.</exception>
    public static object With(object options, string key, object? value)
    {
        ArgumentNullException.ThrowIfNull(options);
        Type type = options.GetType();
        object copy = CreateDefault(type);
        PropertyInfo? target = null;
        foreach (PropertyInfo property in BindableProperties(type))
        {
            property.SetValue(copy, property.GetValue(options));
            if (KeyOf(property.Name) == key)
            {
                target = property;
            }
        }

        if (target is null)
        {
            throw new ArgumentException($"{type.Name} has no option '{key}'", nameof(key));
        }

        target.SetValue(copy, value);
        return copy;
    }

    /// <summary>Every problem with <paramref name="options"/>, each naming its key; empty when valid.</summary>
    public static IReadOnlyList<OptionError> Validate(object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<OptionError>();
        foreach (PropertyInfo property in BindableProperties(options.GetType()))
        {
            object? value = property.GetValue(options);
            string key = KeyOf(property.Name);
            if (property.GetCustomAttribute<RangeAttribute>() is { } range && value is not null && !range.IsValid(value))
            {
                errors.Add(new OptionError(key, $"must be {Describe(range)}, not {Format(value)}"));
            }

            if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed && !allowed.IsValid(value))
            {
                errors.Add(new OptionError(key, $"'{Format(value)}' is not one of {string.Join(", ", allowed.Values.Select(Format))}"));
            }
        }

        if (errors.Count == 0 && options is IValidatableObject validatable)
        {
            foreach (ValidationResult result in validatable.Validate(new ValidationContext(options)))
            {
                string key = result.MemberNames.Select(KeyOf).FirstOrDefault() ?? "";
                errors.Add(new OptionError(key, result.ErrorMessage ?? "invalid"));
            }
        }

        return errors;
    }

    /// <summary>A value as specs write it: invariant culture, lower-case booleans, enum members in snake_case.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        Enum e => KeyOf(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>().Select(Format)) + "]",
        _ => value.ToString() ?? "",
    };

    private static IEnumerable<PropertyInfo> BindableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken);

    private static string AllowedOf(PropertyInfo property)
    {
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            return Describe(range);
        }

        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
        {
            return "one of " + string.Join(", ", allowed.Values.Select(Format));
        }

        Type type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return type switch
        {
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(KeyOf)),
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) || type == typeof(float) => "a number",
            _ when type == typeof(string) => "text",
            _ => type.Name,
        };
    }

    private static string Describe(RangeAttribute range)
    {
        string min = Format(range.Minimum);
        string max = Format(range.Maximum);
        bool unboundedAbove = range.Maximum is int.MaxValue or long.MaxValue or double.MaxValue || (range.Maximum is double d && double.IsPositiveInfinity(d));
        if (unboundedAbove)
        {
            return range.MinimumIsExclusive ? $"greater than {min}" : $"at least {min}";
        }

        if (!range.MinimumIsExclusive && !range.MaximumIsExclusive)
        {
            return $"between {min} and {max}";
        }

        return $"in {(range.MinimumIsExclusive ? "(" : "[")}{min}, {max}{(range.MaximumIsExclusive ? ")" : "]")}";
    }
}
