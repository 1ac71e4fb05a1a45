namespace Reasoning.Policy.Hosting;

/// <summary>
/// The policy a unit of work runs on: the host and the fine-tuned base model. The runner registers
/// one per unit (seed × task point); strategies resolve it from <c>StrategyContext.Services</c>.
/// </summary>
public sealed record PolicySession(PolicyHost Host, ModelHandle Base);
