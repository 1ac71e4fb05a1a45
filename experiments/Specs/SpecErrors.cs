using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// The problems found while reading one spec file. Everything that reads a spec adds to one of these
/// instead of throwing, so a single pass reports every problem.
/// </summary>
internal sealed class SpecErrors(string file)
{
    private readonly List<SpecError> _errors = [];

    public string File => file;

    public int Count => _errors.Count;

    public void Add(Mark at, string key, string message) =>
        _errors.Add(new SpecError(LocationOf(at), key, message));

    public void Add(YamlNode node, string key, string message) => Add(node.Start, key, message);

    public SourceLocation LocationOf(Mark at) => new(file, (int)at.Line, (int)at.Column);

    public SourceLocation LocationOf(YamlNode node) => LocationOf(node.Start);

    /// <summary>Replaces each problem added since the first <paramref name="from"/> by <paramref name="map"/>'s version of it.</summary>
    public void Rewrite(int from, Func<SpecError, SpecError> map)
    {
        for (int i = from; i < _errors.Count; i++)
        {
            _errors[i] = map(_errors[i]);
        }
    }

    /// <summary>
    /// Every problem once, by line then column (problems at the same place keep the order they were found in). A sweep
    /// reads its item once per combination, so a mistake outside the swept keys is found as often; it is reported once.
    /// </summary>
    public IReadOnlyList<SpecError> Sorted() =>
        _errors.Distinct().OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ToList();
}

/// <summary>Key paths as errors show them: <c>task.difficulty</c>, <c>strategies[1].options.samples</c>.</summary>
internal static class KeyPath
{
    public static string Child(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";
}
