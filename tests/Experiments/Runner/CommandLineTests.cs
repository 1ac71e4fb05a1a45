using System.Reflection;
using Reasoning.Experiments.Cli;

namespace Reasoning.Tests.Experiments.Runner;

public sealed class CommandLineTests
{
    private static string SamplePluginAssembly =>
        typeof(CommandLineTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SamplePluginAssembly").Value!;

    [Fact]
    public async Task TheSamplePluginRunsEndToEndThroughTheCommandLine()
    {
        Assert.True(File.Exists(SamplePluginAssembly), SamplePluginAssembly);
        using var experiment = new MicroExperiment(seeds: "[1]", strategies: $$"""
              - strategy: greedy
                options: {max_new_tokens: 16}
              - label: shortest
                type: Reasoning.Samples.ShortestOfN.ShortestOfNStrategy
                assembly: {{SamplePluginAssembly}}
                options: {samples: 3, max_new_tokens: 16}
            """);

        int exit = await CommandLine.InvokeAsync(["run", experiment.SpecPath, "--plain"]);

        Assert.Equal(0, exit);
        string table = File.ReadAllText(Path.Combine(experiment.RunFolder, "table.md"));
        Assert.Contains("| shortest", table);
        Assert.Contains("| greedy", table);
    }

    [Fact]
    public async Task BadInputExitsWithTwoAndNamesTheProblem()
    {
        using var experiment = new MicroExperiment(strategies: """
              - strategy: greedy
              - strategy: gredy
            """);
        var errors = new StringWriter();

        Assert.Equal(ExitCodes.BadInput, ValidateCommand.Execute(experiment.SpecPath, new CommandSettings(), new StringWriter(), errors));
        Assert.Contains("micro.yaml:", errors.ToString());
        Assert.Contains("gredy", errors.ToString());
        Assert.Equal(ExitCodes.BadInput, await RunCommand.ExecuteAsync(experiment.SpecPath, new CommandSettings(Plain: true), new StringWriter(), errors));
        Assert.False(Directory.Exists(Path.Combine(experiment.Folder, "results")), "a spec with errors must not start a run");
        Assert.Equal(ExitCodes.BadInput, await CommandLine.InvokeAsync(["run"], new StringWriter()));
        Assert.Equal(ExitCodes.BadInput, await CommandLine.InvokeAsync(["run", Path.Combine(experiment.Folder, "missing.yaml")]));
    }

    public static TheoryData<string> CommittedExperiments() =>
        new(Directory.GetFiles(Path.Combine(TestRepository.Root, "experiments"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(CommittedExperiments))]
    public void EveryCommittedExperimentIsValid(string file)
    {
        var output = new StringWriter();
        Assert.True(0 == ValidateCommand.Execute(Path.Combine(TestRepository.Root, "experiments", file), new CommandSettings(), output, output), output.ToString());
    }

    [Fact]
    public void ValidateDescribesAValidSpecWithoutRunningIt()
    {
        using var experiment = new MicroExperiment();
        var output = new StringWriter();

        Assert.Equal(0, ValidateCommand.Execute(experiment.SpecPath, new CommandSettings(), output, output));

        Assert.Contains("is valid: experiment micro, 2 seed(s) × (2 strategies + the base policy) = 6 units", output.ToString());
        Assert.False(Directory.Exists(Path.Combine(experiment.Folder, "results")));
    }

    [Fact]
    public async Task AFaultThatEscapesACommandIsOneLineAndATraceFileNotAStackTrace()
    {
        var root = new System.CommandLine.RootCommand("test");
        var boom = new System.CommandLine.Command("boom", "throws");
        boom.SetAction(int (_) => throw new InvalidOperationException("the plug-in fell over"));
        root.Subcommands.Add(boom);
        var errors = new StringWriter();

        int exit = await CommandLine.InvokeAsync(["boom"], errors, root);

        Assert.Equal(ExitCodes.RunFailed, exit);
        string[] lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("error: InvalidOperationException: the plug-in fell over", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain("   at ", errors.ToString());
        string trace = lines[1][(lines[1].LastIndexOf(" in ", StringComparison.Ordinal) + 4)..].Trim();
        Assert.Contains("the plug-in fell over", File.ReadAllText(trace));
        Assert.Contains("   at ", File.ReadAllText(trace));
        File.Delete(trace);
    }
}
