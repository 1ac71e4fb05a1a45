using Reasoning.Core.Storage;
using Reasoning.Experiments.Records;

namespace Reasoning.Tests.Experiments.Records;

public sealed class AtomicFileTests
{
    [Fact]
    public void WritesReplacesAndLeavesNoTemporaryFiles()
    {
        using var folder = new TempFolder();
        string path = folder.File("deep/table.md");

        AtomicFile.WriteAllText(path, "first ± version\n");
        Assert.Equal("first ± version\n", File.ReadAllText(path));
        Assert.NotEqual(0xEF, File.ReadAllBytes(path)[0]); // no byte-order mark

        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));

        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
