using System.Globalization;
using Reasoning.Core.Options;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// Converts YAML nodes to the value types of specs and options, with messages that say what was expected.
/// <para>
/// Numbers and booleans must be plain (unquoted) scalars. In YAML <c>"8"</c> is text, and one rule is easier to
/// remember than a list of places where quotes do not matter; the error says to drop the quotes. Text accepts any
/// scalar as written (<c>name: 2024</c> is the text "2024"). Numbers use the invariant culture; an integer is
/// written in decimal digits with an optional sign (<c>1e3</c> and <c>3.0</c> are not whole numbers), a real
/// number in any form <see cref="double.TryParse(string?, NumberStyles, IFormatProvider?, out double)"/> takes with
/// <see cref="NumberStyles.Float"/> (<c>3e-3</c>, <c>0.5</c>, <c>-1</c>) but must be finite. Booleans are
/// <c>true</c>/<c>false</c> (also <c>True</c>, <c>TRUE</c>, ...); YAML 1.1's <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c>
/// are not. An absent value, <c>~</c> and <c>null</c> are null, allowed only where the option is nullable.
/// </para>
/// </summary>
internal static class YamlValues
{
    private static readonly Type[] ListElementTypes = [typeof(int), typeof(long), typeof(double), typeof(string)];

    /// <summary>An empty plain scalar, <c>~</c> or <c>null</c>.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s
        && s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>How a node is named in "got ..." messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing",
        YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } s => $"the quoted text '{s.Value}'",
        YamlScalarNode s => $"'{s.Value}'",
        _ => node.NodeType.ToString().ToLowerInvariant(),
    };

    /// <summary>What a type's values are, in words: "a whole number", "one of cpu, cuda"...</summary>
    public static string Expected(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (ListElement(t) is { } element)
        {
            return $"a list of {Plural(element)}";
        }

        return t switch
        {
            _ when t == typeof(int) || t == typeof(long) => "a whole number",
            _ when t == typeof(double) || t == typeof(float) => "a number",
            _ when t == typeof(bool) => "true or false",
            _ when t == typeof(string) => "text",
            _ when t.IsEnum => "one of " + string.Join(", ", EnumKeys(t)),
            _ => t.Name,
        };
    }

    /// <summary>Whether values of <paramref name="type"/> can be written in a spec.</summary>
    public static bool IsSupported(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float) || t == typeof(bool)
            || t == typeof(string) || t.IsEnum || ListElement(t) is not null;
    }

    /// <summary>
    /// Converts <paramref name="node"/> to a value of <paramref name="type"/> (one of the <see cref="IsSupported"/> types),
    /// recording problems under <paramref name="path"/>. False when it could not.
    /// </summary>
    public static bool TryConvert(YamlNode node, Type type, bool allowNull, string path, SpecErrors errors, out object? value)
    {
        value = null;
        Type? underlying = Nullable.GetUnderlyingType(type);
        if (IsNull(node) && (allowNull || underlying is not null))
        {
            return true;
        }

        Type t = underlying ?? type;
        if (ListElement(t) is { } element)
        {
            return TryConvertList(node, t, element, path, errors, out value);
        }

        if (node is not YamlScalarNode scalar || IsNull(node))
        {
            errors.Add(node, path, $"expected {Expected(t)}, got {Describe(node)}");
            return false;
        }

        if (t == typeof(string))
        {
            value = scalar.Value ?? "";
            return true;
        }

        string text = scalar.Value ?? "";
        if (t.IsEnum)
        {
            string? name = Enum.GetNames(t).FirstOrDefault(n => OptionsSchema.KeyOf(n) == text);
            if (name is null)
            {
                errors.Add(node, path, $"expected {Expected(t)}, got {Describe(node)}{Nearest.Suggestion(text, EnumKeys(t))}");
                return false;
            }

            value = Enum.Parse(t, name);
            return true;
        }

        bool quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
        string? problem = quoted ? $"expected {Expected(t)}, got {Describe(node)} (write numbers and booleans without quotes)" : null;
        if (problem is null)
        {
            string got = Describe(node);
            (value, problem) = t switch
            {
                _ when t == typeof(int) => Integer(text, int.MinValue, int.MaxValue, v => (int)v, got),
                _ when t == typeof(long) => Integer(text, long.MinValue, long.MaxValue, v => v, got),
                _ when t == typeof(double) => Real(text, double.MaxValue, v => v, got),
                _ when t == typeof(float) => Real(text, float.MaxValue, v => (float)v, got),
                _ when t == typeof(bool) => Boolean(text, got),
                _ => (null, $"options of type {t.Name} cannot be written in a spec"),
            };
        }

        if (problem is not null)
        {
            errors.Add(node, path, problem);
            return false;
        }

        return true;
    }

    private static (object?, string?) Integer(string text, long min, long max, Func<long, object> box, string got)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
        {
            return text.Length > 0 && text.TrimStart('-', '+').All(char.IsAsciiDigit)
                ? (null, $"expected a whole number from {min} to {max}, got {got}")
                : (null, $"expected a whole number, got {got}");
        }

        return v < min || v > max ? (null, $"expected a whole number from {min} to {max}, got {got}") : (box(v), null);
    }

    private static (object?, string?) Real(string text, double limit, Func<double, object> box, string got) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && Math.Abs(v) <= limit
            ? (box(v), null)
            : (null, $"expected a number, got {got}");

    private static (object?, string?) Boolean(string text, string got) => text switch
    {
        "true" or "True" or "TRUE" => (true, null),
        "false" or "False" or "FALSE" => (false, null),
        _ => (null, $"expected true or false, got {got}"),
    };

    private static bool TryConvertList(YamlNode node, Type listType, Type element, string path, SpecErrors errors, out object? value)
    {
        value = null;
        if (node is not YamlSequenceNode sequence)
        {
            errors.Add(node, path, $"expected {Expected(listType)}, got {Describe(node)}");
            return false;
        }

        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        bool ok = true;
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            if (TryConvert(sequence.Children[i], element, allowNull: false, KeyPath.Item(path, i), errors, out object? item))
            {
                list.Add(item);
            }
            else
            {
                ok = false;
            }
        }

        if (listType.IsArray)
        {
            var array = Array.CreateInstance(element, list.Count);
            list.CopyTo(array, 0);
            value = array;
        }
        else
        {
            value = list;
        }

        return ok;
    }

    /// <summary>The element type when <paramref name="type"/> is a list a <c>List&lt;T&gt;</c> or <c>T[]</c> can be assigned to.</summary>
    private static Type? ListElement(Type type)
    {
        Type? element = type.IsArray ? type.GetElementType() : type.IsGenericType && type.GetGenericArguments().Length == 1 ? type.GetGenericArguments()[0] : null;
        if (element is null || !ListElementTypes.Contains(element))
        {
            return null;
        }

        return type.IsArray || type.IsAssignableFrom(typeof(List<>).MakeGenericType(element)) ? element : null;
    }

    private static string Plural(Type element) =>
        element == typeof(string) ? "texts" : element == typeof(int) || element == typeof(long) ? "whole numbers" : "numbers";

    private static IEnumerable<string> EnumKeys(Type enumType) => Enum.GetNames(enumType).Select(OptionsSchema.KeyOf);
}
