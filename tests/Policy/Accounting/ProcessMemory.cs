namespace Reasoning.Tests.Policy.Accounting;

/// <summary>
/// Tests that measure the process's resident set, or reset its peak, read and write process-wide state:
/// they run alone, after the tests that run in parallel.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessMemory
{
    public const string Name = "process resident memory";

    public const long MiB = 1024 * 1024;
}
