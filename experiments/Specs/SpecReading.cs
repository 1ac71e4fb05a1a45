namespace Reasoning.Experiments.Specs;

/// <summary>The state of reading one spec: where errors go, what names resolve to, and the plug-ins' fingerprints.</summary>
internal sealed record SpecReading(SpecErrors Errors, string BaseFolder, SpecCatalog Catalog)
{
    /// <summary>SHA-256 prefix of each plug-in assembly read, by absolute path (for <see cref="CanonicalText"/>).</summary>
    public Dictionary<string, string> Fingerprints { get; } = new(StringComparer.Ordinal);
}
