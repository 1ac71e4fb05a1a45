using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>Reads the one YAML document of a spec into a node tree with positions, reporting syntax errors instead of throwing.</summary>
internal static class YamlDocumentReader
{
    /// <summary>The root node, or null (with an error recorded) when the text is not one well-formed, non-empty document.</summary>
    public static YamlNode? Load(string yamlText, SpecErrors errors, string expected)
    {
        var filter = new DuplicateKeyFilter(new Parser(new StringReader(yamlText)), errors);
        var stream = new YamlStream();
        try
        {
            stream.Load(filter);
        }
        catch (YamlException e)
        {
            errors.Add(e.Start, "", $"YAML syntax error: {e.Message}");
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // YamlDotNet fails on some malformed input without a position (e.g. an unclosed flow list): place it where parsing stopped.
            errors.Add(filter.LastMark, "", $"YAML syntax error near here: {e.Message}");
            return null;
        }

        if (stream.Documents.Count == 0 || YamlValues.IsNull(stream.Documents[0].RootNode))
        {
            errors.Add(new Mark(0, 1, 1), "", $"the spec is empty; expected {expected}");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            errors.Add(stream.Documents[1].RootNode, "", $"expected one YAML document, found {stream.Documents.Count} (remove the '---' separators)");
        }

        return stream.Documents[0].RootNode;
    }
}
