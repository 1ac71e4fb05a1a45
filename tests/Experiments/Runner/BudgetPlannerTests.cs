using Reasoning.Experiments.Records;
using Reasoning.Experiments.Runner;

namespace Reasoning.Tests.Experiments.Runner;

/// <summary>Sizing an option to a FLOPs budget from two calibration runs, worked by hand.</summary>
public sealed class BudgetPlannerTests
{
    // 100 test questions. At 2: training 1e11, inference 1e9 per question → total 2e11. At 8: 1e11 + 100 × 4e9 = 5e11.
    // The line: slope (5e11 − 2e11) / (8 − 2) = 5e10 per unit of the option, intercept 2e11 − 2 × 5e10 = 1e11.
    private static readonly PilotCost Low = new(2, 1e11, 1e9);
    private static readonly PilotCost High = new(8, 1e11, 4e9);

    [Fact]
    public void TheValueIsWhereTheLineMeetsTheBudget()
    {
        // (1.2e12 − 1e11) / 5e10 = 22 exactly.
        BudgetPlan plan = BudgetPlanner.Plan(1.2e12, 100, Low, High, min: 1, max: 1024);

        Assert.Equal((22, 1.2e12, BudgetChoice.BoundByBudget, 22.0, 1e11, 5e10), (plan.Value, plan.PredictedFlops, plan.Limit, plan.Unconstrained, plan.Intercept, plan.Slope));
    }

    [Fact]
    public void ItRoundsDownSoThePredictionStaysWithinTheBudget()
    {
        // (1.17e12 − 1e11) / 5e10 = 21.4 → 21, predicted 1e11 + 21 × 5e10 = 1.15e12.
        BudgetPlan plan = BudgetPlanner.Plan(1.17e12, 100, Low, High, min: 1, max: 1024);

        Assert.Equal(21, plan.Value);
        Assert.Equal(1.15e12, plan.PredictedFlops, 1e-3);
        Assert.True(plan.PredictedFlops <= 1.17e12);
    }

    [Fact]
    public void TheOptionsRangeBoundsTheChoiceAndSaysSo()
    {
        BudgetPlan capped = BudgetPlanner.Plan(1.2e12, 100, Low, High, min: 1, max: 16);
        Assert.Equal((16, BudgetChoice.BoundByMax, 22.0), (capped.Value, capped.Limit, capped.Unconstrained));
        Assert.Equal(1e11 + 16 * 5e10, capped.PredictedFlops);

        // Even the smallest value (1: 1.5e11) is over a budget of 1e11: the minimum, over budget.
        BudgetPlan over = BudgetPlanner.Plan(1e11, 100, Low, High, min: 1, max: 16);
        Assert.Equal((1, BudgetChoice.BoundByMin), (over.Value, over.Limit));
        Assert.Equal(1.5e11, over.PredictedFlops);
    }

    [Fact]
    public void ACostThatDoesNotRiseKeepsTheLargerPilotValueNotTheCap()
    {
        // Totals 2e11 at both pilots, within 1e12: the line cannot say how far to go.
        BudgetPlan flat = BudgetPlanner.Plan(1e12, 100, new PilotCost(2, 1e11, 1e9), new PilotCost(8, 1e11, 1e9), min: 1, max: int.MaxValue);
        Assert.Equal((8, BudgetChoice.BoundByFlatCost, 2e11), (flat.Value, flat.Limit, flat.PredictedFlops));
        Assert.True(double.IsPositiveInfinity(flat.Unconstrained));

        // Falling from 2e13 to 1.9e13, both over a budget of 1e13: the smaller pilot value, over the budget.
        BudgetPlan over = BudgetPlanner.Plan(1e13, 100, new PilotCost(8, 1e13, 1e11), new PilotCost(32, 1e13, 9e10), min: 1, max: int.MaxValue);
        Assert.Equal((8, BudgetChoice.BoundByMin, 2e13), (over.Value, over.Limit, over.PredictedFlops));
    }

    [Fact]
    public void PilotValuesMustIncrease() =>
        Assert.Throws<ArgumentException>(() => BudgetPlanner.Plan(1e12, 100, High, Low, min: 1, max: 64));
}
