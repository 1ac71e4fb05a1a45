using Reasoning.Core.Problems;

namespace Reasoning.Core.Tasks;

/// <summary>A train split and a test split that never share a problem (same prompt).</summary>
public sealed record ProblemSplit(IReadOnlyList<Problem> Train, IReadOnlyList<Problem> Test)
{
    /// <summary>
    /// Draws the test split first, from its own random stream, so it does not change when the train
    /// size does; then the train split from another stream, skipping any prompt already taken.
    /// Problems within a split are distinct too.
    /// </summary>
    /// <remarks>A task that is an <see cref="IProblemSource"/> (a dataset) makes the split itself, with the same promises.</remarks>
    /// <exception cref="TooFewProblemsException">The task cannot produce that many distinct problems at that difficulty.</exception>
    public static ProblemSplit Create(IReasoningTask task, int difficulty, int trainSize, int testSize, long seed)
    {
        task.ValidateDifficulty(difficulty);
        ArgumentOutOfRangeException.ThrowIfNegative(trainSize);
        ArgumentOutOfRangeException.ThrowIfNegative(testSize);
        if (task is IProblemSource source)
        {
            return source.Split(trainSize, testSize, seed);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var test = Draw(task, difficulty, testSize, DeterministicRandom.ForPurpose(seed, $"{task.Name}/{difficulty}/test"), seen, "test");
        var train = Draw(task, difficulty, trainSize, DeterministicRandom.ForPurpose(seed, $"{task.Name}/{difficulty}/train"), seen, "train");
        return new ProblemSplit(train, test);
    }

    private static List<Problem> Draw(IReasoningTask task, int difficulty, int count, DeterministicRandom random, HashSet<string> seen, string split)
    {
        var problems = new List<Problem>(count);
        // Generous, but finite: a task whose space is nearly exhausted fails clearly instead of looping.
        long budget = 1000 + 50L * count;
        for (long attempt = 0; problems.Count < count; attempt++)
        {
            if (attempt >= budget)
            {
                throw new TooFewProblemsException(
                    split, problems.Count, count,
                    $"task '{task.Name}' at difficulty {difficulty} gave only {problems.Count} new distinct problems of the {count} the {split} split needs " +
                    $"in {budget} draws ({seen.Count} taken in all); ask for fewer problems or a higher difficulty");
            }

            Problem problem = task.Generate(difficulty, random);
            if (seen.Add(problem.Prompt))
            {
                problems.Add(problem);
            }
        }

        return problems;
    }
}

/// <summary>A task could not produce as many distinct problems as a split needs (its space is too small at that difficulty).</summary>
/// <param name="split"><c>train</c> or <c>test</c>.</param>
/// <param name="found">Distinct new problems found before giving up.</param>
/// <param name="needed">Problems the split needs.</param>
public sealed class TooFewProblemsException(string split, int found, int needed, string message) : InvalidOperationException(message)
{
    /// <summary><c>train</c> or <c>test</c>.</summary>
    public string Split { get; } = split;

    /// <summary>Distinct new problems found before giving up.</summary>
    public int Found { get; } = found;

    /// <summary>Problems the split needs.</summary>
    public int Needed { get; } = needed;
}
