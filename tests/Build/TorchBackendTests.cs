using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.Json;
using Reasoning.Tests.Experiments;

namespace Reasoning.Tests.Build;

/// <summary>
/// The GPU build switch (build/TorchBackend.props, docs/gpu.md): <c>-p:TorchBackend=cpu|cuda|none</c> picks the
/// native LibTorch package of both projects that carry one. Checked without a restore: the CUDA packages are not
/// served on the project's machines, so a cuda build is never restored here, only its selection is evaluated.
/// The expected names are written out here on purpose, not read from the props file.
/// </summary>
public sealed class TorchBackendTests : IClassFixture<TorchBackendTests.Commands>
{
    private const string TorchSharpVersion = "0.107.0";
    private const string LibTorchVersion = "2.10.0"; // the LibTorch TorchSharp 0.107.0 is built against

    private static readonly string[] Projects = { "experiments/Reasoning.Experiments.csproj", "tests/Reasoning.Tests.csproj" };

    /// <summary>Backend (null: not given), runtime identifier (null: the SDK's own), the native package expected (null: none).</summary>
    public static readonly TheoryData<string?, string?, string?> Selections = new()
    {
        { null, "linux-x64", "libtorch-cpu-linux-x64" },
        { "cpu", "linux-x64", "libtorch-cpu-linux-x64" },
        { "cuda", "linux-x64", "libtorch-cuda-12.8-linux-x64" },
        { "CUDA", "linux-x64", "libtorch-cuda-12.8-linux-x64" },
        { "none", "linux-x64", null },
        { "cpu", "win-x64", "libtorch-cpu-win-x64" },
        { "cuda", "win-x64", "libtorch-cuda-12.8-win-x64" },
        { "cpu", "osx-arm64", "libtorch-cpu-osx-arm64" },
        { null, null, "libtorch-cpu-linux-x64" }, // plain `dotnet build`, on a Linux x64 machine
        { "cuda", null, "libtorch-cuda-12.8-linux-x64" }, // `dotnet build -p:TorchBackend=cuda`, there
    };

    private readonly Commands _commands;

    public TorchBackendTests(Commands commands) => _commands = commands;

    private static bool OnLinuxX64 => OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64;

    [Theory]
    [MemberData(nameof(Selections))]
    public async Task EachBackendSelectsItsNativePackageInBothProjects(string? backend, string? runtime, string? expected)
    {
        if (runtime is null && !OnLinuxX64)
        {
            return; // the SDK's own platform is another one here
        }

        Selection selection = await _commands.Probe;
        foreach (string project in Projects)
        {
            string name = Commands.CaseName(project, backend, runtime);
            List<string> natives = selection.References(name).Where(IsNativeLibTorch).ToList();
            Assert.True(natives.SequenceEqual(expected is null ? Array.Empty<string>() : new[] { expected }),
                $"{project}, TorchBackend={backend ?? "(not given)"}, runtime {runtime ?? "(the SDK's)"}: "
                + $"native packages [{string.Join(", ", natives)}], expected [{expected}]");

            Dictionary<string, string> versions = selection.Versions(name);
            if (expected is not null)
            {
                Assert.Equal(LibTorchVersion, versions[expected]);
            }

            Assert.Contains("TorchSharp", selection.References(name));
            Assert.Equal(TorchSharpVersion, versions["TorchSharp"]);
        }
    }

    [Fact]
    public async Task TheDocumentedEvaluationCommandShowsTheCudaPackageWithoutRestoring()
    {
        if (!OnLinuxX64)
        {
            return;
        }

        DotnetResult result = await _commands.CudaEvaluation;

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = Commands.Json(result);
        List<string> natives = json.RootElement.GetProperty("Items").GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!)
            .Where(IsNativeLibTorch)
            .ToList();
        Assert.Equal(new[] { "libtorch-cuda-12.8-linux-x64" }, natives);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda12")]
    public async Task AnUnknownBackendFailsRestoreNamingThePropertyAndTheAllowedValues(string backend)
    {
        DotnetResult result = await _commands.Restore(backend, runtime: null);

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("error TORCHBACKEND001", result.Output);
        Assert.Contains($"TorchBackend='{backend}' is not a known LibTorch backend", result.Output);
        Assert.Contains("allowed values: cpu, cuda, none", result.Output);
        Assert.False(_commands.RestoreWroteAssets(backend, runtime: null), "restore went on to write project.assets.json:\n" + result);
    }

    [Fact]
    public async Task CudaOnAPlatformWithoutACudaPackageFailsRestore()
    {
        DotnetResult result = await _commands.Restore("cuda", "osx-arm64");

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains("error TORCHBACKEND002", result.Output);
        Assert.Contains("TorchBackend=cuda has no LibTorch package for platform 'osx-arm64'", result.Output);
        Assert.False(_commands.RestoreWroteAssets("cuda", "osx-arm64"), "restore went on to write project.assets.json:\n" + result);
    }

    private static bool IsNativeLibTorch(string package) => package.StartsWith("libtorch-", StringComparison.OrdinalIgnoreCase);

    /// <summary>Package references and central versions per case, as NuGet's restore would collect them.</summary>
    public sealed class Selection
    {
        private readonly Dictionary<string, List<string>> _references = new();
        private readonly Dictionary<string, Dictionary<string, string>> _versions = new();

        public Selection(JsonDocument json)
        {
            JsonElement items = json.RootElement.GetProperty("Items");
            foreach (JsonElement item in items.GetProperty("SelectedReference").EnumerateArray())
            {
                string name = item.GetProperty("Case").GetString()!;
                (_references.TryGetValue(name, out List<string>? list) ? list : _references[name] = new()).Add(item.GetProperty("Identity").GetString()!);
            }

            foreach (JsonElement item in items.GetProperty("SelectedVersion").EnumerateArray())
            {
                string name = item.GetProperty("Case").GetString()!;
                Dictionary<string, string> versions = _versions.TryGetValue(name, out Dictionary<string, string>? found)
                    ? found
                    : _versions[name] = new(StringComparer.OrdinalIgnoreCase);
                versions[item.GetProperty("Identity").GetString()!] = item.GetProperty("Version").GetString()!;
            }
        }

        public List<string> References(string name) =>
            _references.TryGetValue(name, out List<string>? list) ? list : throw new KeyNotFoundException($"no package references for case {name}");

        public Dictionary<string, string> Versions(string name) =>
            _versions.TryGetValue(name, out Dictionary<string, string>? versions) ? versions : throw new KeyNotFoundException($"no package versions for case {name}");
    }

    /// <summary>
    /// Starts every command the tests need at once when the class is first used; each costs about half a second
    /// of a core, so there are few: all selections come from one <c>dotnet msbuild</c> of a probe project that
    /// asks each case for NuGet's <c>CollectPackageReferences</c> and <c>CollectCentralPackageVersions</c>
    /// (evaluation and item collection, no restore), beside the documented <c>-getItem</c> command and three
    /// restores that must fail. Those restores write only under a scratch folder, never into the repository's obj.
    /// </summary>
    public sealed class Commands : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

        private readonly string _scratch = Path.Combine(Path.GetTempPath(), "TorchBackendTests-" + Guid.NewGuid().ToString("N"));
        private readonly Dictionary<string, Task<DotnetResult>> _restores = new();

        public Commands()
        {
            Directory.CreateDirectory(_scratch);
            string probe = Path.Combine(_scratch, "probe.proj");
            File.WriteAllText(probe, ProbeProject());
            Probe = RunProbe(probe);
            CudaEvaluation = DotnetCommand.RunAsync(TestRepository.Root,
                new[] { "msbuild", Projects[0], "-getItem:PackageReference", "-p:TorchBackend=cuda", "-nologo" }, Timeout);
            foreach ((string backend, string? runtime) in new[] { ("gpu", (string?)null), ("cuda12", null), ("cuda", "osx-arm64") })
            {
                _restores[Key(backend, runtime)] = RunRestore(backend, runtime);
            }
        }

        /// <summary>What every (project, selection row) collects: one <c>dotnet msbuild</c> of the probe project.</summary>
        public Task<Selection> Probe { get; }

        /// <summary><c>dotnet msbuild experiments/... -getItem:PackageReference -p:TorchBackend=cuda</c>, as docs/gpu.md shows it.</summary>
        internal Task<DotnetResult> CudaEvaluation { get; }

        /// <summary><c>dotnet restore experiments/...</c> as a user would type it, with its obj folder moved to the scratch folder.</summary>
        internal Task<DotnetResult> Restore(string backend, string? runtime) => _restores[Key(backend, runtime)];

        public bool RestoreWroteAssets(string backend, string? runtime) =>
            Directory.Exists(ObjFolder(backend, runtime))
            && Directory.EnumerateFiles(ObjFolder(backend, runtime), "project.assets.json", SearchOption.AllDirectories).Any();

        /// <summary>A case's name: project and row number (MSBuild batches item names case-insensitively: "cuda" and "CUDA" would merge).</summary>
        public static string CaseName(string project, string? backend, string? runtime)
        {
            int row = Selections.ToList().FindIndex(r =>
                string.Equals((string?)r[0], backend, StringComparison.Ordinal) && string.Equals((string?)r[1], runtime, StringComparison.Ordinal));
            Assert.True(row >= 0, $"no selection row for ({backend}, {runtime})");
            return $"{Path.GetFileNameWithoutExtension(project)}#{row}";
        }

        internal static JsonDocument Json(DotnetResult result)
        {
            int start = result.Output.IndexOf('{');
            Assert.True(start >= 0, "no JSON in " + result);
            return JsonDocument.Parse(result.Output[start..]);
        }

        public void Dispose()
        {
            // Every command is bounded; let them end before their scratch folder goes.
            try
            {
                Task.WaitAll(_restores.Values.Cast<Task>().Append(CudaEvaluation).Append(Probe).ToArray());
            }
            catch (Exception)
            {
                // Their failures belong to the tests that await them.
            }

            if (Directory.Exists(_scratch))
            {
                Directory.Delete(_scratch, recursive: true);
            }
        }

        private async Task<Selection> RunProbe(string probe)
        {
            DotnetResult result = await DotnetCommand.RunAsync(TestRepository.Root,
                new[] { "msbuild", probe, "-t:Probe", "-getItem:SelectedReference,SelectedVersion", "-nologo" }, Timeout);
            Assert.True(result.ExitCode == 0, result.ToString());
            using JsonDocument json = Json(result);
            return new Selection(json);
        }

        private Task<DotnetResult> RunRestore(string backend, string? runtime)
        {
            var arguments = new List<string>
            {
                "restore", Projects[0], "-nodeReuse:false", $"-p:TorchBackend={backend}",
                $"-p:BaseIntermediateOutputPath={ObjFolder(backend, runtime)}/",
                $"-p:MSBuildProjectExtensionsPath={ObjFolder(backend, runtime)}/",
            };
            if (runtime is not null)
            {
                arguments.Add($"-p:RuntimeIdentifier={runtime}");
            }

            return DotnetCommand.RunAsync(TestRepository.Root, arguments, Timeout);
        }

        /// <summary>One <c>TorchBackendCase</c> per (project, selection row); each is built with its own global properties.</summary>
        private static string ProbeProject()
        {
            var cases = new StringBuilder();
            foreach (object?[] row in Selections)
            {
                (string? backend, string? runtime) = ((string?)row[0], (string?)row[1]);
                var properties = new List<string>();
                if (backend is not null)
                {
                    properties.Add($"TorchBackend={backend}");
                }

                if (runtime is not null)
                {
                    properties.Add($"RuntimeIdentifier={runtime}");
                }

                foreach (string project in Projects)
                {
                    cases.AppendLine($"    <TorchBackendCase Include=\"{SecurityElement.Escape(CaseName(project, backend, runtime))}\" "
                        + $"Project=\"{SecurityElement.Escape(Path.Combine(TestRepository.Root, project))}\" "
                        + $"Properties=\"{string.Join(';', properties)}\" />");
                }
            }

            return $"""
                <Project>
                  <ItemGroup>
                {cases}  </ItemGroup>
                  <Target Name="Probe" Outputs="%(TorchBackendCase.Identity)">
                    <PropertyGroup>
                      <_Case>%(TorchBackendCase.Identity)</_Case>
                    </PropertyGroup>
                    <MSBuild Projects="%(TorchBackendCase.Project)" Targets="CollectPackageReferences" Properties="%(TorchBackendCase.Properties)">
                      <Output TaskParameter="TargetOutputs" ItemName="_References" />
                    </MSBuild>
                    <MSBuild Projects="%(TorchBackendCase.Project)" Targets="CollectCentralPackageVersions" Properties="%(TorchBackendCase.Properties)">
                      <Output TaskParameter="TargetOutputs" ItemName="_Versions" />
                    </MSBuild>
                    <ItemGroup>
                      <SelectedReference Include="@(_References)" Case="$(_Case)" />
                      <SelectedVersion Include="@(_Versions)" Case="$(_Case)" />
                      <_References Remove="@(_References)" />
                      <_Versions Remove="@(_Versions)" />
                    </ItemGroup>
                  </Target>
                </Project>
                """;
        }

        private static string Key(string backend, string? runtime) => $"{backend}|{runtime ?? "-"}";

        private string ObjFolder(string backend, string? runtime) => Path.Combine(_scratch, $"{backend}-{runtime ?? "sdk"}", "obj");
    }
}
