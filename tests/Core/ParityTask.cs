using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;

namespace Reasoning.Tests.Core;

/// <summary>A task defined outside Core, found by <see cref="TaskRegistry.RegisterFrom"/>: is the count of ones even?</summary>
public sealed class ParityTask : IReasoningTask
{
    public string Name => "parity";

    public string Description => "is the number of ones in a bit string even";

    public int MinDifficulty => 1;

    public int MaxDifficulty => 8;

    public string Alphabet => "01=evnod";

    public Problem Generate(int difficulty, DeterministicRandom random)
    {
        string bits = new(Enumerable.Range(0, difficulty).Select(_ => random.Next(2) == 0 ? '0' : '1').ToArray());
        return Problem.Create(Name, difficulty, bits, bits.Count(c => c == '1') % 2 == 0 ? "even" : "odd", []);
    }

    public bool VerifyAnswer(Problem problem, string? answer) => answer?.Trim() == problem.Answer;

    public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps) =>
        steps.Select(_ => StepVerdict.Invalid("parity takes no steps")).ToList();
}
