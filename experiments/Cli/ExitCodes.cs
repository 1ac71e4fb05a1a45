namespace Reasoning.Experiments.Cli;

/// <summary>The command line's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;

    /// <summary>A run ran but something failed (a unit of work, or the run was interrupted); what finished is kept.</summary>
    public const int RunFailed = 1;

    /// <summary>Bad input: a spec, a folder or an option; nothing was run.</summary>
    public const int BadInput = 2;
}
