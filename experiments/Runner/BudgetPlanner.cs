using static Reasoning.Experiments.Records.BudgetChoice;

namespace Reasoning.Experiments.Runner;

/// <summary>One calibration run of a budgeted strategy: the option's value and what the run cost.</summary>
/// <param name="TrainFlops">The strategy's training (preparation) FLOPs.</param>
/// <param name="InferenceFlopsPerQuestion">Its inference FLOPs per calibration question.</param>
internal sealed record PilotCost(int Value, double TrainFlops, double InferenceFlopsPerQuestion)
{
    /// <summary>Training plus inference over <paramref name="questions"/> test questions.</summary>
    public double TotalFor(int questions) => TrainFlops + questions * InferenceFlopsPerQuestion;
}

/// <summary>The option value chosen for a budget, and why.</summary>
/// <param name="Limit"><c>budget</c>, <c>max</c>, <c>min</c> or <c>flat</c> (see <see cref="Records.BudgetChoice.Limit"/>).</param>
internal sealed record BudgetPlan(int Value, double PredictedFlops, string Limit, double Unconstrained, double Intercept, double Slope);

/// <summary>
/// Sizes an option to a FLOPs budget from two calibration runs: the total (training plus inference over the test
/// questions) is taken as a line in the option, through the two runs' totals; the value is the largest integer whose
/// predicted total is within the budget, kept within the option's range. A line that does not rise keeps the larger
/// pilot value. Costs that recur every k steps (GRPO's periodic evaluation) are on the line only if the pilots span k.
/// </summary>
internal static class BudgetPlanner
{
    public static BudgetPlan Plan(double budgetFlops, int testQuestions, PilotCost low, PilotCost high, int min, int max)
    {
        if (high.Value <= low.Value)
        {
            throw new ArgumentException($"the pilot values must increase, got {low.Value} then {high.Value}");
        }

        double slope = (high.TotalFor(testQuestions) - low.TotalFor(testQuestions)) / (high.Value - low.Value);
        double intercept = low.TotalFor(testQuestions) - slope * low.Value;
        double Predicted(int value) => intercept + slope * value;
        if (slope <= 0)
        {
            // More of the option measured no dearer: the line cannot say how far to go, so the larger pilot value is
            // kept (never the option's cap, which may be int.MaxValue) unless even the smaller one is over the budget.
            return low.TotalFor(testQuestions) > budgetFlops
                ? new BudgetPlan(low.Value, low.TotalFor(testQuestions), BoundByMin, double.NegativeInfinity, intercept, slope)
                : new BudgetPlan(high.Value, high.TotalFor(testQuestions), BoundByFlatCost, double.PositiveInfinity, intercept, slope);
        }

        double exact = (budgetFlops - intercept) / slope;
        // The small tolerance keeps an exact fit (e.g. 22.000000000000004 computed as 21.99999…) on its integer.
        int value = exact >= max ? max : exact < min ? min : (int)Math.Floor(exact + 1e-9);
        string limit = exact >= max ? BoundByMax : exact < min ? BoundByMin : BoundByBudget;
        return new BudgetPlan(value, Predicted(value), limit, exact, intercept, slope);
    }
}
