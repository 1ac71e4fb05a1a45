using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Tasks;

namespace Reasoning.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Registers the built-in tasks (as <see cref="IReasoningTask"/> singletons) and a <see cref="TaskRegistry"/> over every registered task.</summary>
    public static IServiceCollection AddReasoningTasks(this IServiceCollection services)
    {
        foreach (IReasoningTask task in TaskRegistry.CreateDefault().All)
        {
            services.AddSingleton(task);
        }

        services.AddSingleton(provider =>
        {
            var registry = new TaskRegistry();
            foreach (IReasoningTask task in provider.GetServices<IReasoningTask>())
            {
                registry.Register(task);
            }

            return registry;
        });
        return services;
    }
}
