namespace Reasoning.Core.Options;

/// <summary>
/// An option added after runs were published: while it holds its default it is left out of a run's canonical text
/// (and so of its hash), so every run made before it existed keeps its identity; set to anything else, it is written
/// like every other option.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OmitWhenDefaultAttribute : Attribute;
