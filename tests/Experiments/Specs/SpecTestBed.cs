using Reasoning.Core.Tasks;
using Reasoning.Experiments.Specs;
using Reasoning.Policy.Strategies;
using Reasoning.Tests.Core;

namespace Reasoning.Tests.Experiments.Specs;

/// <summary>
/// A folder holding a stand-in plug-in assembly (<c>plugins/acme.dll</c>), and a catalog with the built-in tasks,
/// greedy, self-consistency, the throwing fake, and a fake loader that knows <c>Acme.Search.BeamSearch</c> and
/// <c>Acme.Tasks.Parity</c>.
/// </summary>
internal sealed class SpecTestBed : IDisposable
{
    public const string FileName = "spec.yaml";

    public SpecTestBed()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"spec-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(Folder, "plugins"));
        AssemblyPath = Path.Combine(Folder, "plugins", "acme.dll");
        File.WriteAllBytes(AssemblyPath, [0x4d, 0x5a, 1, 2, 3]);
        Loader.Strategies["Acme.Search.BeamSearch"] = FakeStrategies.Beam;
        Loader.Tasks["Acme.Tasks.Parity"] = new ParityTask();
        Catalog = new SpecCatalog(
            TaskRegistry.CreateDefault(),
            [GreedyStrategy.Descriptor, SelfConsistencyStrategy.Descriptor, FakeStrategies.Throwing],
            Loader);
    }

    public string Folder { get; }

    public string AssemblyPath { get; }

    public FakePluginLoader Loader { get; } = new();

    public SpecCatalog Catalog { get; }

    public SpecLoadResult Parse(string yaml) => SpecLoader.Parse(yaml, FileName, Folder, Catalog);

    /// <summary>Lines joined with '\n', so tests read like the file.</summary>
    public static string Yaml(params string[] lines) => string.Join('\n', lines) + "\n";

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
