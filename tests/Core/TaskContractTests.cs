using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;

namespace Reasoning.Tests.Core;

/// <summary>What every task promises: seeded generation, disjoint splits, references that check, perturbations that do not.</summary>
public sealed class TaskContractTests
{
    private const int ProblemsPerDifficulty = 2000;

    [Theory]
    [MemberData(nameof(TaskTestData.TasksAndDifficulties), MemberType = typeof(TaskTestData))]
    public void TheSameSeedGivesTheSameProblems(string name, int difficulty)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        ProblemSplit first = ProblemSplit.Create(task, difficulty, trainSize: 40, testSize: 20, seed: 5);
        ProblemSplit again = ProblemSplit.Create(task, difficulty, trainSize: 40, testSize: 20, seed: 5);
        ProblemSplit other = ProblemSplit.Create(task, difficulty, trainSize: 40, testSize: 20, seed: 6);

        Assert.Equal(Texts(first.Train), Texts(again.Train));
        Assert.Equal(Texts(first.Test), Texts(again.Test));
        Assert.NotEqual(Texts(first.Test), Texts(other.Test));
    }

    [Theory]
    [MemberData(nameof(TaskTestData.TasksAndDifficulties), MemberType = typeof(TaskTestData))]
    public void SplitsNeverShareAProblem(string name, int difficulty)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        int size = difficulty == 1 ? 100 : 400; // one-step spaces are small
        ProblemSplit split = ProblemSplit.Create(task, difficulty, trainSize: size, testSize: size / 2, seed: 3);

        Assert.Equal(size, split.Train.Count);
        Assert.Equal(size / 2, split.Test.Count);
        var prompts = split.Train.Concat(split.Test).Select(p => p.Prompt).ToList();
        Assert.Equal(prompts.Count, prompts.Distinct().Count());
        Assert.Equal(prompts.Count, split.Train.Concat(split.Test).Select(p => p.Id).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(TaskTestData.TaskNames), MemberType = typeof(TaskTestData))]
    public void TheTestSplitDoesNotDependOnTheTrainSize(string name)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        ProblemSplit small = ProblemSplit.Create(task, 3, trainSize: 10, testSize: 30, seed: 8);
        ProblemSplit large = ProblemSplit.Create(task, 3, trainSize: 300, testSize: 30, seed: 8);
        Assert.Equal(Texts(small.Test), Texts(large.Test));
    }

    [Fact]
    public void AnExhaustedProblemSpaceFailsClearly()
    {
        IReasoningTask task = TaskTestData.Registry.Get("countdown");
        var error = Assert.Throws<TooFewProblemsException>(() => ProblemSplit.Create(task, 1, trainSize: 100_000, testSize: 10, seed: 1));
        Assert.Equal(("train", 100_000), (error.Split, error.Needed));
        Assert.True(error.Found < error.Needed);
        Assert.Contains("countdown", error.Message);
        Assert.Contains("difficulty 1", error.Message);
    }

    [Theory]
    [MemberData(nameof(TaskTestData.TaskNames), MemberType = typeof(TaskTestData))]
    public void DifficultyOutsideTheRangeIsRefusedWithTheRange(string name)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        var random = new DeterministicRandom(1);
        var low = Assert.Throws<ArgumentOutOfRangeException>(() => task.Generate(task.MinDifficulty - 1, random));
        Assert.Contains($"{task.MinDifficulty} to {task.MaxDifficulty}", low.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => task.Generate(task.MaxDifficulty + 1, random));
    }

    [Theory]
    [MemberData(nameof(TaskTestData.TasksAndDifficulties), MemberType = typeof(TaskTestData))]
    public void EveryReferenceStepAndAnswerIsAccepted(string name, int difficulty)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        var alphabet = new HashSet<char>(task.Alphabet + SolutionText.Alphabet);
        foreach (Problem problem in TaskTestData.Generate(task, difficulty, ProblemsPerDifficulty))
        {
            Assert.Equal(difficulty, problem.ReferenceSteps.Count);
            Assert.True(task.VerifyAnswer(problem, problem.Answer), $"{problem.Prompt}: answer {problem.Answer} rejected");
            IReadOnlyList<StepVerdict> verdicts = task.CheckSteps(problem, problem.ReferenceSteps);
            for (int i = 0; i < verdicts.Count; i++)
            {
                Assert.True(verdicts[i].IsGood, $"{problem.Prompt}: step {i} '{problem.ReferenceSteps[i]}' rejected: {verdicts[i].Reason}");
                Assert.Equal(i == verdicts.Count - 1, verdicts[i].IsFinal);
            }

            Assert.All(problem.ReferenceSolution, c => Assert.Contains(c, alphabet));
        }
    }

    [Theory]
    [MemberData(nameof(TaskTestData.TasksAndDifficulties), MemberType = typeof(TaskTestData))]
    public void AChangedDigitIsRejected(string name, int difficulty)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        foreach (Problem problem in TaskTestData.Generate(task, difficulty, 300))
        {
            for (int k = 0; k < problem.ReferenceSteps.Count; k++)
            {
                string step = problem.ReferenceSteps[k];
                var previous = problem.ReferenceSteps.Take(k).ToList();
                for (int at = 0; at < step.Length; at++)
                {
                    if (!char.IsAsciiDigit(step[at]) || Perturbations.DigitChangeCanKeepTheStepTrue(step, at))
                    {
                        continue;
                    }

                    string changed = step[..at] + (char)('0' + (step[at] - '0' + 1) % 10) + step[(at + 1)..];
                    StepVerdict verdict = task.CheckStep(problem, previous, changed);
                    Assert.False(verdict.IsGood, $"{problem.Prompt}: '{changed}' (for '{step}') accepted");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(TaskTestData.TasksAndDifficulties), MemberType = typeof(TaskTestData))]
    public void AWrongOperandIsRejected(string name, int difficulty)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        foreach (Problem problem in TaskTestData.Generate(task, difficulty, 300))
        {
            for (int k = 0; k < problem.ReferenceSteps.Count; k++)
            {
                string wrong = Perturbations.WrongOperand(name, problem.ReferenceSteps[k]);
                StepVerdict verdict = task.CheckStep(problem, problem.ReferenceSteps.Take(k).ToList(), wrong);
                Assert.False(verdict.IsValid, $"{problem.Prompt}: '{wrong}' (for '{problem.ReferenceSteps[k]}') accepted");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TaskTestData.TasksAndDifficulties), MemberType = typeof(TaskTestData))]
    public void ASkippedStepBreaksTheDerivation(string name, int difficulty)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        foreach (Problem problem in TaskTestData.Generate(task, difficulty, 300))
        {
            Assert.True(task.IsCompleteDerivation(problem, problem.ReferenceSteps));
            for (int k = 0; k < problem.ReferenceSteps.Count; k++)
            {
                var skipped = problem.ReferenceSteps.Where((_, i) => i != k).ToList();
                Assert.False(task.IsCompleteDerivation(problem, skipped), $"{problem.Prompt}: derivation without step {k} accepted");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TaskTestData.TaskNames), MemberType = typeof(TaskTestData))]
    public void GarbageStepsAndAnswersAreRejectedWithoutThrowing(string name)
    {
        IReasoningTask task = TaskTestData.Registry.Get(name);
        Problem problem = TaskTestData.Generate(task, 3, 1).Single();
        var random = new Random(17);
        const string pieces = "0123456789+-*/()=>:ABCDEK answer\u00e9\uFFFD\u0000\n";
        var garbage = new List<string> { "", " ", "=", "1+1=", "+1=2", "99999999999+1=1", "A>B:", "((((((((1", new string('(', 5000) + "1" + new string(')', 5000) };
        for (int i = 0; i < 500; i++)
        {
            garbage.Add(new string(Enumerable.Range(0, random.Next(1, 30)).Select(_ => pieces[random.Next(pieces.Length)]).ToArray()));
        }

        foreach (string text in garbage)
        {
            Assert.False(task.CheckStep(problem, problem.ReferenceSteps.Take(1).ToList(), text).IsGood, $"garbage step '{text}' accepted");
            // A short random string can be the right answer by chance; anything else must be refused.
            Assert.False(task.VerifyAnswer(problem, text) && text.Trim() != problem.Answer, $"garbage answer '{text}' accepted");
        }

        Assert.False(task.VerifyAnswer(problem, null));
        Assert.False(task.VerifyAnswer(problem, ""));
        var nonsense = problem with { Prompt = "\uFFFD nonsense" };
        Assert.All(task.CheckSteps(nonsense, problem.ReferenceSteps), v => Assert.False(v.IsValid));
        Assert.False(task.VerifyAnswer(nonsense, problem.Answer));
    }

    private static List<string> Texts(IEnumerable<Problem> problems) => problems.Select(p => p.ReferenceSolution).ToList();
}
