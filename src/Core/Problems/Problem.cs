namespace Reasoning.Core.Problems;

/// <summary>
/// A problem with its ground truth. Only the runner and a task's verifier see it; a strategy's
/// <c>Solve</c> receives the <see cref="Question"/> alone.
/// </summary>
/// <param name="Id">Stable id: the task, the difficulty and a hash of the prompt.</param>
/// <param name="Task">Name of the task that generated it.</param>
/// <param name="Difficulty">Number of steps in the reference solution.</param>
/// <param name="Prompt">The question: one line for the synthetic tasks; a dataset's question may span several lines.</param>
/// <param name="Answer">The reference answer, in the task's canonical form.</param>
/// <param name="ReferenceSteps">A reference solution, one step per element.</param>
public sealed record Problem(string Id, string Task, int Difficulty, string Prompt, string Answer, IReadOnlyList<string> ReferenceSteps)
{
    /// <summary>What a strategy may see: the prompt and the id.</summary>
    public Question ToQuestion() => new(Id, Prompt);

    /// <summary>
    /// The reference solution in the line format (<see cref="Solutions.SolutionText"/>). A task with another format
    /// renders its reference with <c>task.SolutionFormat.RenderCompletion(ReferenceSteps, Answer)</c>.
    /// </summary>
    public string ReferenceSolution => Solutions.SolutionText.Render(Prompt, ReferenceSteps, Answer);

    /// <summary>Builds a problem whose id is derived from its content, so the same problem always has the same id.</summary>
    public static Problem Create(string task, int difficulty, string prompt, string answer, IReadOnlyList<string> referenceSteps) =>
        new(MakeId(task, difficulty, prompt), task, difficulty, prompt, answer, referenceSteps);

    /// <summary><c>task/d{difficulty}/{hash}</c>, the hash being FNV-1a (64 bit) of the prompt.</summary>
    public static string MakeId(string task, int difficulty, string prompt) => $"{task}/d{difficulty}/{Fnv1a(prompt):x16}";

    /// <summary>FNV-1a, 64 bit, over the UTF-16 code units: a stable, fast hash (string.GetHashCode is randomised per process).</summary>
    internal static ulong Fnv1a(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}

/// <summary>What a strategy is asked: an id and the prompt, never the answer.</summary>
public sealed record Question(string Id, string Prompt);
