namespace Reasoning.Core.Strategies;

/// <summary>
/// How a strategy is named in experiment specs, what its options are, and how to make one.
/// Each project registers its strategies' descriptors with dependency injection
/// (<c>services.AddSingleton(StrategyDescriptor.For&lt;GreedyOptions&gt;(...))</c>); the runner finds them there.
/// <para>
/// Options are a class with a public parameterless constructor and settable properties: the YAML keys are
/// the properties' names in snake_case (<c>MaxNewTokens</c> is <c>max_new_tokens</c>), defaults are the
/// property initialisers, <see cref="System.ComponentModel.DescriptionAttribute"/> says what each means and
/// <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/> (or <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>)
/// what is allowed. See <see cref="Options.OptionsSchema"/>.
/// </para>
/// </summary>
/// <param name="Name">The name in specs, e.g. <c>self-consistency</c>.</param>
/// <param name="Description">One line for <c>list</c>.</param>
/// <param name="OptionsType">The options class (<see cref="NoOptions"/> when there are none).</param>
/// <param name="Create">Makes a strategy from an instance of <paramref name="OptionsType"/>.</param>
public sealed record StrategyDescriptor(string Name, string Description, Type OptionsType, Func<object, IStrategy> Create)
{
    /// <summary>A descriptor whose options are <typeparamref name="TOptions"/>.</summary>
    public static StrategyDescriptor For<TOptions>(string name, string description, Func<TOptions, IStrategy> create)
        where TOptions : class, new() =>
        new(name, description, typeof(TOptions), options => create((TOptions)options));
}

/// <summary>The options of a strategy that has none.</summary>
public sealed class NoOptions
{
}
