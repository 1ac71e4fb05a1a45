namespace Reasoning.Core.Tasks;

/// <summary>
/// A task whose problems are a fixed collection (a dataset) rather than drawn from a generator: it makes its own
/// train and test splits. <see cref="ProblemSplit.Create"/> asks it instead of calling
/// <see cref="IReasoningTask.Generate"/>, so the runner treats both kinds of task alike.
/// </summary>
public interface IProblemSource
{
    /// <summary>
    /// A train split of <paramref name="trainSize"/> and a test split of <paramref name="testSize"/> problems for a seed,
    /// with the promises of <see cref="ProblemSplit.Create"/>: the same seed gives the same problems, no prompt is in
    /// both splits (or twice in one), and the test split does not change with the train size.
    /// </summary>
    /// <exception cref="InvalidOperationException">The collection holds too few problems; the message names it and the counts.</exception>
    ProblemSplit Split(int trainSize, int testSize, long seed);
}
