using Reasoning.Core.Storage;

namespace Reasoning.Tests.Experiments.Records;

public sealed class ModelCacheTests
{
    [Fact]
    public void AnEntryIsVisibleToItsWriterAtOnceAndToOthersOnlyOnceCommitted()
    {
        using var folder = new TempFolder();
        var unit = new ModelCache(folder.Path, "run abc, seed 1, greedy");
        string entry = folder.File("base-1.ckpt");
        unit.BeginWrite(entry);
        File.WriteAllText(entry, "weights");

        Assert.True(unit.IsVisible(entry));
        Assert.False(new ModelCache(folder.Path).IsVisible(entry));
        Assert.Equal(["base-1.ckpt"], unit.Written);

        unit.Commit();
        Assert.True(new ModelCache(folder.Path).IsVisible(entry));
        Assert.Equal("run abc, seed 1, greedy\n", File.ReadAllText(entry + ".committed"));
        Assert.Empty(unit.Written);
    }

    [Fact]
    public void RewritingAnEntryWithdrawsItsMarkerUntilTheRewriterCommits()
    {
        using var folder = new TempFolder();
        string entry = folder.File("reward-models/reward-1.json");
        var first = new ModelCache(folder.Path);
        first.BeginWrite(entry);
        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        File.WriteAllText(entry, "{}");
        first.Commit();

        var second = new ModelCache(folder.Path);
        second.BeginWrite(entry);
        Assert.False(File.Exists(entry + ".committed"));
        Assert.False(new ModelCache(folder.Path).IsVisible(entry));
        Assert.True(second.IsVisible(entry));
        Assert.Equal([Path.Combine("reward-models", "reward-1.json")], second.Written);
    }

    [Fact]
    public void CommittingAgainIsHarmlessAndSkipsEntriesThatAreGone()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.File("base-2")); // an entry may be a folder (a Hugging Face model folder)
        ModelCache.Commit(folder.Path, ["base-2", "base-gone.ckpt"], "first");
        ModelCache.Commit(folder.Path, ["base-2"], "second");
        Assert.Equal("first\n", File.ReadAllText(folder.File("base-2.committed")));
        Assert.False(File.Exists(folder.File("base-gone.ckpt.committed")));
        Assert.True(new ModelCache(folder.Path).IsVisible(folder.File("base-2")));
    }

    [Fact]
    public void AMissingEntryIsNotVisibleEvenWithItsMarker()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("base-3.ckpt.committed"), "someone\n");
        Assert.False(new ModelCache(folder.Path).IsVisible(folder.File("base-3.ckpt")));
    }

    [Fact]
    public void AnEntryOutsideTheCacheIsRefused()
    {
        using var folder = new TempFolder();
        var cache = new ModelCache(folder.File("cache"));
        var error = Assert.Throws<ArgumentException>(() => cache.BeginWrite(folder.File("elsewhere.ckpt")));
        Assert.Contains("is not inside the cache folder", error.Message);
    }
}
