using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;

namespace Reasoning.Tests.Core;

/// <summary>Theory rows: every built-in task at every difficulty.</summary>
public static class TaskTestData
{
    public static TaskRegistry Registry { get; } = TaskRegistry.CreateDefault();

    public static TheoryData<string> TaskNames()
    {
        var data = new TheoryData<string>();
        foreach (IReasoningTask task in Registry.All)
        {
            data.Add(task.Name);
        }

        return data;
    }

    public static TheoryData<string, int> TasksAndDifficulties()
    {
        var data = new TheoryData<string, int>();
        foreach (IReasoningTask task in Registry.All)
        {
            for (int d = task.MinDifficulty; d <= task.MaxDifficulty; d++)
            {
                data.Add(task.Name, d);
            }
        }

        return data;
    }

    public static IEnumerable<Problem> Generate(IReasoningTask task, int difficulty, int count, long seed = 11)
    {
        var random = DeterministicRandom.ForPurpose(seed, $"tests/{task.Name}/{difficulty}");
        for (int i = 0; i < count; i++)
        {
            yield return task.Generate(difficulty, random);
        }
    }
}
