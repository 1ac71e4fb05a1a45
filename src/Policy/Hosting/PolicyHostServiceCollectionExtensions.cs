using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Reasoning.Policy.Hosting;

public static class PolicyHostServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="PolicyHost"/> as a singleton hosted service; its options are validated at start-up.</summary>
    public static IServiceCollection AddPolicyHost(this IServiceCollection services, Action<PolicyHostOptions>? configure = null)
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
