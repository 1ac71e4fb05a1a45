namespace Reasoning.Policy.Hosting;

/// <summary>
/// The policy a unit of work runs on: the host and the fine-tuned base model. The runner registers
/// one per unit (seed × task point); strategies resolve it from <c>StrategyContext.Services</c>.
/// </summary>
/// <param name="Host">The policy host.</param>
/// <param name="Base">The fine-tuned base policy.</param>
/// <param name="BaseIdentity">A hash of everything that determines the base policy's weights (its cache key), for keys of models derived from it; empty when unknown.</param>
public sealed record PolicySession(PolicyHost Host, ModelHandle Base, string BaseIdentity = "");
