namespace Reasoning.Tests.Policy;

/// <summary>
/// Tests that count live tensors read a process-wide counter, so they run alone, after the
/// tests that run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LeakChecks
{
    public const string Name = "live tensor counts";
}
