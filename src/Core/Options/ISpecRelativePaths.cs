namespace Reasoning.Core.Options;

/// <summary>
/// Implemented by an options object with options that name files or folders: the spec reader calls
/// <see cref="ResolvePaths"/> with the spec file's folder, so a relative path means what it means everywhere in a spec
/// (relative to the spec), and what it names is checked when the spec is read (<c>validate</c>), not when the unit runs.
/// The options themselves keep the paths as written, so a run's identity does not depend on where the spec lies.
/// </summary>
public interface ISpecRelativePaths
{
    /// <summary>Resolves the paths against <paramref name="specFolder"/> and checks what they name.</summary>
    /// <returns>Problems, each with the option's key (snake_case) and a message naming the file and what is wrong; empty when all is well.</returns>
    IReadOnlyList<(string Key, string Message)> ResolvePaths(string specFolder);
}
