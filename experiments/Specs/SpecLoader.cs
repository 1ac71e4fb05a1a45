using System.Text.RegularExpressions;
using Reasoning.Policy.Hosting;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>A spec read from a file: the spec when it is valid, and every problem found (sorted by line, then column).</summary>
internal sealed record SpecLoadResult(ExperimentSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Spec is not null && Errors.Count == 0;
}

/// <summary>
/// Reads experiment specs (YAML) into <see cref="ExperimentSpec"/>. Never throws on bad input: every problem it can
/// find in one pass comes back as a <see cref="SpecError"/> with its line, column and key path.
/// </summary>
internal static partial class SpecLoader
{
    private const string NameKey = "name";
    private const string SeedsKey = "seeds";
    private const string DeviceKey = "device";
    private const string PrecisionKey = "precision";
    private const string ThreadsKey = "threads";
    private const string MaxBatchSizeKey = "max_batch_size";
    private const string OutputKey = "output";
    private const string SnapshotEveryKey = "snapshot_every";

    /// <summary>Steps between resumable snapshots of a training loop when the spec does not say.</summary>
    public const int DefaultSnapshotEvery = 100;

    private static readonly string[] TopKeys =
        [NameKey, SeedsKey, DeviceKey, PrecisionKey, ThreadsKey, MaxBatchSizeKey, OutputKey, SnapshotEveryKey, TaskSection.Key, PolicySection.Key, BudgetSection.Key, StrategySection.Key];

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex NamePattern();

    /// <summary>Reads and checks the spec at <paramref name="path"/>; plug-in paths are relative to its folder.</summary>
    public static SpecLoadResult Load(string path, SpecCatalog catalog)
    {
        string text;
        string baseFolder;
        try
        {
            baseFolder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? Directory.GetCurrentDirectory();
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            return new SpecLoadResult(null, [new SpecError(new SourceLocation(path, 1, 1), "", $"cannot read the spec file: {e.Message}")]);
        }

        return Parse(text, path, baseFolder, catalog);
    }

    /// <summary>Checks spec text as if read from <paramref name="fileName"/> in <paramref name="baseFolder"/>.</summary>
    public static SpecLoadResult Parse(string yamlText, string fileName, string baseFolder, SpecCatalog catalog)
    {
        var errors = new SpecErrors(fileName);
        var reading = new SpecReading(errors, baseFolder, catalog);
        ExperimentSpec? spec = Read(yamlText, fileName, reading);
        return new SpecLoadResult(errors.Count == 0 ? spec : null, errors.Sorted());
    }

    private static ExperimentSpec? Read(string yamlText, string fileName, SpecReading reading)
    {
        SpecErrors errors = reading.Errors;
        string expected = $"a mapping with keys {string.Join(", ", TopKeys)}";
        if (YamlDocumentReader.Load(yamlText, errors, expected) is not { } root)
        {
            return null;
        }

        if (root is not YamlMappingNode mapping)
        {
            errors.Add(root, "", $"expected {expected}, got {YamlValues.Describe(root)}");
            return null;
        }

        var top = new MappingReader(mapping, "", TopKeys, errors);
        string? name = ReadName(top);
        IReadOnlyList<long>? seeds = ReadSeeds(top);
        HostSpec? host = ReadHost(top);
        string? output = top.TryRead(OutputKey, required: false, out string given) ? CheckOutput(top, given) : name is null ? null : $"results/{name}";
        int snapshotEvery = ReadSnapshotEvery(top);
        (TaskSpec Task, TaskSweep? Sweep)? task = TaskSection.Read(top, reading);
        PolicySpec? policy = PolicySection.Read(top, reading);
        BudgetSpec? budget = BudgetSection.ReadTop(top);
        IReadOnlyList<StrategySpec>? strategies = StrategySection.Read(top, reading, budgeted: top.Has(BudgetSection.Key), task?.Task.Task);
        if (errors.Count > 0 || name is null || seeds is null || host is null || output is null || task is null || policy is null || strategies is null)
        {
            return null;
        }

        var spec = new ExperimentSpec(name, fileName, seeds, host, task.Value.Task, policy, strategies, output, CanonicalText: "", Budget: budget, SnapshotEvery: snapshotEvery);
        if (task.Value.Sweep is { } sweep)
        {
            var variants = sweep.Variants
                .Select(v => v with { CanonicalText = CanonicalText.Render(spec with { Task = v.Task }, reading.Fingerprints) })
                .ToList();
            spec = spec with { TaskSweep = sweep with { Variants = variants } };
        }

        TaskProbe.Check(spec, (YamlMappingNode)top.Value(TaskSection.Key)!, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        return spec with { CanonicalText = CanonicalText.Render(spec, reading.Fingerprints) };
    }

    private static string? ReadName(MappingReader top)
    {
        if (!top.TryRead(NameKey, required: true, out string name))
        {
            return null;
        }

        if (!NamePattern().IsMatch(name))
        {
            top.Errors.Add(top.Value(NameKey)!, top.PathOf(NameKey),
                $"'{name}' is not a valid name: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (it names folders)");
            return null;
        }

        return name;
    }

    private static IReadOnlyList<long>? ReadSeeds(MappingReader top)
    {
        if (top.Value(SeedsKey) is not { } node)
        {
            top.Missing(SeedsKey);
            return null;
        }

        string path = top.PathOf(SeedsKey);
        if (!YamlValues.TryConvert(node, typeof(IReadOnlyList<long>), allowNull: false, path, top.Errors, out object? value) || value is not IReadOnlyList<long> seeds)
        {
            return null;
        }

        if (seeds.Count == 0)
        {
            top.Errors.Add(node, path, "must list at least one seed, e.g. [1, 2, 3]");
            return null;
        }

        var items = ((YamlSequenceNode)node).Children;
        var first = new Dictionary<long, Mark>();
        bool ok = true;
        for (int i = 0; i < seeds.Count; i++)
        {
            if (seeds[i] < 0)
            {
                top.Errors.Add(items[i], KeyPath.Item(path, i), $"must be 0 or more, not {seeds[i]}");
                ok = false;
            }
            else if (!first.TryAdd(seeds[i], items[i].Start))
            {
                top.Errors.Add(items[i], KeyPath.Item(path, i), $"seed {seeds[i]} is listed twice (first at line {first[seeds[i]].Line}, column {first[seeds[i]].Column}); seeds must be distinct");
                ok = false;
            }
        }

        return ok ? seeds : null;
    }

    /// <summary><c>device</c>, <c>precision</c>, <c>threads</c>, <c>max_batch_size</c>, checked by <see cref="PolicyHostOptions.Validate"/>.</summary>
    private static HostSpec? ReadHost(MappingReader top)
    {
        var options = new PolicyHostOptions();
        int before = top.Errors.Count;
        if (top.TryRead(DeviceKey, required: false, out string device))
        {
            options.Device = device;
        }

        if (top.TryRead(PrecisionKey, required: false, out string precision))
        {
            options.Precision = precision;
        }

        if (top.TryRead(ThreadsKey, required: false, out int threads))
        {
            options.Threads = threads;
        }

        if (top.TryRead(MaxBatchSizeKey, required: false, out int maxBatchSize))
        {
            options.MaxBatchSize = maxBatchSize;
        }

        // PolicyHostOptions words its problems "key: message" with the YAML key; place each at that key's value.
        foreach (string problem in options.Validate())
        {
            int colon = problem.IndexOf(": ", StringComparison.Ordinal);
            string key = colon > 0 ? problem[..colon] : "";
            string message = colon > 0 ? problem[(colon + 2)..] : problem;
            YamlNode at = (TopKeys.Contains(key) ? top.Value(key) : null) ?? top.Node;
            top.Errors.Add(at, key, message);
        }

        return top.Errors.Count == before ? new HostSpec(options.Device, options.Precision, options.Threads, options.MaxBatchSize) : null;
    }

    /// <summary><c>snapshot_every</c>: steps between resumable snapshots of every training loop (0: none). Not hashed: it changes no result.</summary>
    private static int ReadSnapshotEvery(MappingReader top)
    {
        if (!top.TryRead(SnapshotEveryKey, required: false, out int every))
        {
            return DefaultSnapshotEvery;
        }

        if (every < 0)
        {
            top.Errors.Add(top.Value(SnapshotEveryKey)!, top.PathOf(SnapshotEveryKey), $"must be 0 (no snapshots) or a number of steps, not {every}");
            return DefaultSnapshotEvery;
        }

        return every;
    }

    private static string? CheckOutput(MappingReader top, string output)
    {
        if (output.Trim().Length == 0)
        {
            top.Errors.Add(top.Value(OutputKey)!, top.PathOf(OutputKey), "expected a folder path, got nothing (leave 'output' out for results/<name>)");
            return null;
        }

        return output;
    }
}
