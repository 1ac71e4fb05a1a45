using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Plugins;
using Reasoning.Experiments.Runner;
using Reasoning.Experiments.Specs;
using Reasoning.Policy.Hosting;
using Reasoning.Search.Mcts;
using Reasoning.SelfPlay.R1;

namespace Reasoning.Experiments.Composition;

/// <summary>The composition root: every project's registration, then the runner's own.</summary>
internal static class ExperimentServices
{
    /// <summary>Everything an experiment needs: tasks, the policy host and its strategies, the search strategies, the self-play strategy, plug-in loading, the runner.</summary>
    public static IServiceCollection AddReasoning(this IServiceCollection services, Action<PolicyHostOptions>? configureHost = null) =>
        services
            .AddReasoningTasks()
            .AddPolicy(configureHost)
            .AddSearch()
            .AddSelfPlay()
            .AddExperimentRunner();

    /// <summary>
    /// The runner's services: the plug-in loader, the catalog specs are checked against, and the per-unit
    /// scope through which strategies resolve their <see cref="PolicySession"/>.
    /// </summary>
    public static IServiceCollection AddExperimentRunner(this IServiceCollection services)
    {
        services.AddSingleton<IPluginLoader, PluginLoader>();
        services.AddSingleton(provider => new SpecCatalog(
            provider.GetRequiredService<TaskRegistry>(),
            provider.GetServices<StrategyDescriptor>().ToList(),
            provider.GetRequiredService<IPluginLoader>()));
        services.AddScoped<UnitScope>();
        services.AddScoped(provider => provider.GetRequiredService<UnitScope>().RequireSession());
        services.AddSingleton<ExperimentRunner>();
        return services;
    }
}
