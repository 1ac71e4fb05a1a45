using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;

namespace Reasoning.Tests.ProcessReward;

/// <summary>A fake task whose step verdicts are given in advance; the answer "right" verifies. Its solutions are in the line format unless <see cref="SolutionFormat"/> is set.</summary>
internal sealed class ScriptedTask(params StepVerdict[] verdicts) : IReasoningTask
{
    public string Name => "scripted";

    public string Description => "steps judged by a script";

    public int MinDifficulty => 1;

    public int MaxDifficulty => 1;

    public string Alphabet => "abcdefghijklmnopqrstuvwxyz";

    public ISolutionFormat SolutionFormat { get; init; } = LineSolutionFormat.Instance;

    public Problem Generate(int difficulty, DeterministicRandom random) => Problem.Create(Name, 1, "q", "right", []);

    public bool VerifyAnswer(Problem problem, string? answer) => answer == "right";

    public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps) =>
        steps.Select((_, i) => i < verdicts.Length ? verdicts[i] : StepVerdict.Good(false)).ToList();
}
