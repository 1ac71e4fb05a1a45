using Microsoft.Extensions.DependencyInjection;
using Reasoning.Experiments.Composition;
using Reasoning.Experiments.Specs;

namespace Reasoning.Experiments.Cli;

/// <summary>
/// Settings shared by the commands that read specs.
/// </summary>
/// <param name="Plain">Log lines instead of the live display.</param>
/// <param name="LogLevel">Least severe log level written (to standard error).</param>
/// <param name="Services">Extra registrations after the built-in ones (tests add strategies here).</param>
internal sealed record CommandSettings(bool Plain = false, Microsoft.Extensions.Logging.LogLevel LogLevel = Microsoft.Extensions.Logging.LogLevel.Information, Action<IServiceCollection>? Services = null);

/// <summary>Reads and checks a spec against every registered task and strategy, before any work starts.</summary>
internal static class SpecLoading
{
    /// <summary>The spec, or null after writing every error (file:line:column: key: message) to <paramref name="errors"/>.</summary>
    public static ExperimentSpec? Load(string path, CommandSettings settings, TextWriter errors)
    {
        var services = new ServiceCollection().AddLogging().AddReasoning();
        settings.Services?.Invoke(services);
        using ServiceProvider provider = services.BuildServiceProvider();
        SpecLoadResult result = SpecLoader.Load(path, provider.GetRequiredService<SpecCatalog>());
        if (result.IsValid)
        {
            return result.Spec;
        }

        foreach (SpecError error in result.Errors)
        {
            errors.WriteLine(error);
        }

        errors.WriteLine($"{result.Errors.Count} problem(s) in {path}; nothing was run");
        return null;
    }
}
