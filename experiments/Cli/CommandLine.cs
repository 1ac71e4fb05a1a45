using System.CommandLine;

namespace Reasoning.Experiments.Cli;

/// <summary>The command tree: one class per command.</summary>
internal static class CommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Reasoning: PRM + search versus R1-style self-play, measured side by side.");
        root.Subcommands.Add(ListCommand.Build());
        root.Subcommands.Add(BenchCommand.Build());
        root.Subcommands.Add(FineTuneCommand.Build());
        return root;
    }
}
