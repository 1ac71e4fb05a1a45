using Microsoft.Extensions.DependencyInjection;
using Reasoning.Core.Strategies;
using Reasoning.Search.Mcts.Strategies;

namespace Reasoning.Search.Mcts;

public static class SearchServiceCollectionExtensions
{
    /// <summary>Registers the reward-guided search strategies: <c>best-of-n</c>, <c>beam</c>, <c>prm-mcts</c>.</summary>
    public static IServiceCollection AddSearch(this IServiceCollection services)
    {
        services.AddSingleton(BestOfNStrategy.Descriptor);
        services.AddSingleton(BeamStrategy.Descriptor);
        services.AddSingleton(PrmMctsStrategy.Descriptor);
        return services;
    }
}
