using Reasoning.Core.Problems;
using Reasoning.ProcessReward.Labels;

namespace Reasoning.Tests.ProcessReward;

/// <summary>Labelled solutions a micro model can learn in seconds: a line is good when it contains an even digit.</summary>
internal static class SyntheticLabels
{
    public static IReadOnlyList<LabeledSolution> Generate(int count, long seed, bool answerLines = false)
    {
        var random = DeterministicRandom.ForPurpose(seed, "tests/synthetic-labels");
        var solutions = new List<LabeledSolution>(count);
        for (int i = 0; i < count; i++)
        {
            string prompt = Digits(random, 2) + "+" + Digits(random, 2);
            int lineCount = random.Next(2, 6);
            var lines = new List<string>(lineCount);
            for (int j = 0; j < lineCount; j++)
            {
                string line = Digits(random, random.Next(1, 4));
                lines.Add(answerLines && j == lineCount - 1 ? "answer: " + line : line);
            }

            double[] labels = lines.Select(l => l.Any(c => c is '0' or '2' or '4' or '6' or '8') ? 1.0 : 0.0).ToArray();
            solutions.Add(new LabeledSolution($"synthetic/{seed}/{i}", prompt, lines, labels));
        }

        return solutions;
    }

    private static string Digits(DeterministicRandom random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => (char)('0' + random.Next(10))).ToArray());
}
