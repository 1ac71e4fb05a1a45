namespace Reasoning.Tests.Experiments;

/// <summary>The repository the tests were built from (the folder holding <c>Reasoning.sln</c>).</summary>
internal static class TestRepository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Reasoning.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Reasoning.sln not found above " + AppContext.BaseDirectory);
    }
}
