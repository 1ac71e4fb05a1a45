using Microsoft.Extensions.DependencyInjection;
using Reasoning.SelfPlay.R1.Strategies;

namespace Reasoning.SelfPlay.R1;

public static class SelfPlayServiceCollectionExtensions
{
    /// <summary>Registers the R1-style self-play strategy, <c>r1-grpo</c>.</summary>
    public static IServiceCollection AddSelfPlay(this IServiceCollection services)
    {
        services.AddSingleton(R1GrpoStrategy.Descriptor);
        return services;
    }
}
