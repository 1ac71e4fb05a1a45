namespace Reasoning.Core.Strategies;

/// <summary>
/// Implemented by a strategy's options object when, with some settings, the strategy needs the task's step checker
/// (exact step labels, say). A spec that pairs such options with a task that has none
/// (<see cref="Tasks.IReasoningTask.HasStepChecker"/> false, a dataset) is refused when it is read, naming the
/// strategy, instead of failing when the unit runs.
/// </summary>
public interface IRequiresStepChecker
{
    /// <summary>Whether the strategy, with these options, calls <see cref="Tasks.IReasoningTask.CheckSteps"/>.</summary>
    bool RequiresStepChecker { get; }
}
