using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Strategies;

namespace Reasoning.Policy.Hosting;

public static class PolicyHostServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the Policy project offers: the <see cref="PolicyHost"/> as a singleton hosted service
    /// (its options validated at start-up) and the sampling baselines' <see cref="StrategyDescriptor"/>s
    /// (<c>greedy</c>, <c>self-consistency</c>).
    /// </summary>
    public static IServiceCollection AddPolicy(this IServiceCollection services, Action<PolicyHostOptions>? configure = null)
    {
        OptionsBuilder<PolicyHostOptions> options = services.AddOptions<PolicyHostOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.AddSingleton<IValidateOptions<PolicyHostOptions>, PolicyHostOptionsValidator>();
        services.AddSingleton<PolicyHost>();
        services.AddHostedService(provider => provider.GetRequiredService<PolicyHost>());
        services.AddSingleton(GreedyStrategy.Descriptor);
        services.AddSingleton(SelfConsistencyStrategy.Descriptor);
        return services;
    }

    private sealed class PolicyHostOptionsValidator : IValidateOptions<PolicyHostOptions>
    {
        public ValidateOptionsResult Validate(string? name, PolicyHostOptions options)
        {
            IReadOnlyList<string> errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
