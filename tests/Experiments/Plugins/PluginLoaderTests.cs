using System.Reflection;
using Reasoning.Core.Options;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Plugins;
using Reasoning.Tests.Core;

namespace Reasoning.Tests.Experiments.Plugins;

public sealed class PluginLoaderTests
{
    internal const string SampleStrategy = "Reasoning.Samples.ShortestOfN.ShortestOfNStrategy";
    private const string SampleOptions = "Reasoning.Samples.ShortestOfN.ShortestOfNOptions";
    private const string IStrategyName = "Reasoning.Core.Strategies.IStrategy";

    private readonly PluginLoader _loader = new();

    /// <summary>The sample plug-in, built with the tests (see Reasoning.Tests.csproj).</summary>
    internal static string SamplePath { get; } = Path.GetFullPath(
        typeof(PluginLoaderTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SamplePluginAssembly").Value!);

    private static string TestsPath => typeof(PluginLoaderTests).Assembly.Location;

    internal static StrategyDescriptor LoadSample()
    {
        PluginLoad<StrategyDescriptor> load = new PluginLoader().LoadStrategy(SamplePath, SampleStrategy);
        Assert.Null(load.Error);
        return load.Value!;
    }

    [Fact]
    public void TheSampleIsBuiltWithTheTestsAndShipsNoCopyOfTheContract()
    {
        Assert.True(File.Exists(SamplePath), SamplePath);
        string folder = Path.GetDirectoryName(SamplePath)!;
        Assert.All(["Reasoning.Core.dll", "Reasoning.Policy.dll", "TorchSharp.dll"], dll => Assert.False(File.Exists(Path.Combine(folder, dll)), dll));
    }

    [Fact]
    public void TheSampleLoadsAsADescriptorWithItsOptions()
    {
        StrategyDescriptor descriptor = LoadSample();
        Assert.Equal(SampleStrategy, descriptor.Name);
        Assert.Equal("n sampled solutions per question, the shortest well-formed one wins; no training", descriptor.Description);
        Assert.Equal(SampleOptions, descriptor.OptionsType.FullName);
        Assert.Equal(SamplePath, descriptor.OptionsType.Assembly.Location);
        Assert.Equal(
            [("samples", (object?)4, "at least 1"), ("temperature", 0.8, "greater than 0"), ("max_new_tokens", 128, "at least 1")],
            OptionsSchema.Describe(descriptor.OptionsType).Select(o => (o.Key, o.Default, o.Allowed)));
    }

    [Fact]
    public void TheSampleStrategyIsAnIStrategyOfTheHost()
    {
        StrategyDescriptor descriptor = LoadSample();
        IStrategy strategy = descriptor.Create(OptionsSchema.CreateDefault(descriptor.OptionsType));
        Assert.True(typeof(IStrategy).IsInstanceOfType(strategy));
        Assert.Same(typeof(IStrategy), strategy.GetType().GetInterface(IStrategyName));
        Assert.Equal(SampleStrategy, strategy.Name);
    }

    [Fact]
    public void LoadingTheSamePathTwiceGivesTheSameTypes()
    {
        StrategyDescriptor first = LoadSample();
        string roundabout = Path.Combine(Path.GetDirectoryName(SamplePath)!, ".", Path.GetFileName(SamplePath));
        StrategyDescriptor second = _loader.LoadStrategy(roundabout, SampleStrategy).Value!;
        Assert.Same(first.OptionsType, second.OptionsType);
        Assert.Same(
            first.Create(OptionsSchema.CreateDefault(first.OptionsType)).GetType(),
            second.Create(OptionsSchema.CreateDefault(second.OptionsType)).GetType());
    }

    [Fact]
    public void APluginThatBundlesTheContractStillGetsTheHostsCopy()
    {
        // A plug-in built without Private=false: copies of Reasoning.Core and Reasoning.Policy beside it.
        string folder = Path.Combine(Path.GetTempPath(), $"bundling-plugin-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (string file in Directory.GetFiles(Path.GetDirectoryName(SamplePath)!).Append(typeof(IStrategy).Assembly.Location).Append(typeof(Reasoning.Policy.Hosting.PolicyHost).Assembly.Location))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }

            StrategyDescriptor descriptor = _loader.LoadStrategy(Path.Combine(folder, Path.GetFileName(SamplePath)), SampleStrategy).Value!;
            Assert.True(typeof(IStrategy).IsInstanceOfType(descriptor.Create(OptionsSchema.CreateDefault(descriptor.OptionsType))));
            Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => !a.IsDynamic && a.Location.StartsWith(folder, StringComparison.Ordinal) && a.GetName().Name != "Reasoning.Samples.ShortestOfN");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AConstructorThatThrowsFailsInCreateWithThePluginsOwnException()
    {
        StrategyDescriptor descriptor = LoadSample();
        object options = OptionsSchema.CreateDefault(descriptor.OptionsType);
        descriptor.OptionsType.GetProperty("Samples")!.SetValue(options, 65);
        var error = Assert.Throws<ArgumentException>(() => descriptor.Create(options));
        Assert.StartsWith("samples above 64 are not supported (got 65)", error.Message);
    }

    [Fact]
    public void CreateRefusesOptionsOfAnotherType()
    {
        var error = Assert.Throws<ArgumentException>(() => LoadSample().Create(new NoOptions()));
        Assert.StartsWith($"strategy {SampleStrategy} takes options of type {SampleOptions}, not Reasoning.Core.Strategies.NoOptions", error.Message);
    }

    [Fact]
    public void AMissingFileIsNamedByItsAbsolutePath()
    {
        string relative = Path.Combine("no-such-folder", "Missing.Plugin.dll");
        PluginLoad<StrategyDescriptor> load = _loader.LoadStrategy(relative, SampleStrategy);
        Assert.Null(load.Value);
        Assert.Equal($"plug-in assembly not found: {Path.GetFullPath(relative)} (looking for strategy type '{SampleStrategy}')", load.Error);
    }

    [Fact]
    public void AFileThatIsNotAnAssemblyIsSaidToBeSo()
    {
        string path = Path.Combine(Path.GetTempPath(), $"not-an-assembly-{Guid.NewGuid():N}.dll");
        File.WriteAllText(path, "this is text, not a .NET assembly");
        try
        {
            Assert.Equal($"{path} is not a loadable .NET assembly (looking for strategy type '{SampleStrategy}')", _loader.LoadStrategy(path, SampleStrategy).Error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ATypeThatIsNotThereIsNamedWithTheStrategiesThatAre() =>
        Assert.Equal(
            $"strategy type 'Reasoning.Samples.ShortestOfN.LongestOfN' not found in {SamplePath}; its public strategies: {SampleStrategy}",
            _loader.LoadStrategy(SamplePath, "Reasoning.Samples.ShortestOfN.LongestOfN").Error);

    [Fact]
    public void ATypeThatIsNotAStrategyIsRefused() =>
        Assert.Equal(
            $"strategy type '{SampleOptions}' in {SamplePath} does not implement {IStrategyName}",
            _loader.LoadStrategy(SamplePath, SampleOptions).Error);

    [Theory]
    [InlineData(typeof(AbstractPluginStrategy), "is abstract; name a concrete class")]
    [InlineData(typeof(TwoArgumentPluginStrategy), "has no public constructor taking nothing or one options object")]
    public void UnusableStrategyTypesAreRefused(Type type, string why) =>
        Assert.Equal($"strategy type '{type.FullName}' in {TestsPath} {why}", _loader.LoadStrategy(TestsPath, type.FullName!).Error);

    [Fact]
    public void AParameterlessStrategyTakesNoOptions()
    {
        StrategyDescriptor descriptor = _loader.LoadStrategy(TestsPath, typeof(OptionlessPluginStrategy).FullName!).Value!;
        Assert.Equal(typeof(NoOptions), descriptor.OptionsType);
        Assert.Equal("plug-in strategy from Reasoning.Tests.dll", descriptor.Description);
        // The host already has this assembly loaded: its own copy is used, so the types are the test's own.
        Assert.IsType<OptionlessPluginStrategy>(descriptor.Create(new NoOptions()));
    }

    [Fact]
    public void AMissingTaskTypeIsNamedWithTheTasksThatAre()
    {
        Assert.Equal(
            $"task type 'Reasoning.Samples.ShortestOfN.ParityTask' not found in {SamplePath}; it has no public tasks",
            _loader.LoadTask(SamplePath, "Reasoning.Samples.ShortestOfN.ParityTask").Error);
        Assert.Equal(
            $"task type 'Reasoning.Tests.Core.Parity' not found in {TestsPath}; its public tasks: {typeof(ParityTask).FullName}",
            _loader.LoadTask(TestsPath, "Reasoning.Tests.Core.Parity").Error);
    }

    [Fact]
    public void ATaskIsLoadedAndConstructed()
    {
        PluginLoad<IReasoningTask> load = _loader.LoadTask(TestsPath, typeof(ParityTask).FullName!);
        Assert.Null(load.Error);
        Assert.Equal("parity", Assert.IsType<ParityTask>(load.Value).Name);
    }

    [Fact]
    public void AStrategyIsNotATask() =>
        Assert.Equal(
            $"task type '{SampleStrategy}' in {SamplePath} does not implement {typeof(IReasoningTask).FullName}",
            _loader.LoadTask(SamplePath, SampleStrategy).Error);
}
