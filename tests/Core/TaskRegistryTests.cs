using Reasoning.Core.Tasks;

namespace Reasoning.Tests.Core;

public sealed class TaskRegistryTests
{
    [Fact]
    public void TheDefaultRegistryHoldsTheBuiltInTasks() =>
        Assert.Equal(["arithmetic", "countdown", "shortest-path"], TaskRegistry.CreateDefault().All.Select(t => t.Name));

    [Fact]
    public void AnUnknownTaskIsNamedWithTheKnownOnes()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => TaskRegistry.CreateDefault().Get("arithmetics"));
        Assert.Equal("unknown task 'arithmetics'; known tasks: arithmetic, countdown, shortest-path", error.Message);
    }

    [Fact]
    public void TasksFromAnotherAssemblyPlugIn()
    {
        var registry = TaskRegistry.CreateDefault();
        IReadOnlyList<IReasoningTask> added = registry.RegisterFrom(typeof(ParityTask).Assembly);
        Assert.Equal(["parity"], added.Select(t => t.Name));
        Assert.Same(added[0], registry.Get("parity"));
    }

    [Fact]
    public void ATaskNameCannotBeRegisteredTwice()
    {
        var registry = TaskRegistry.CreateDefault();
        var error = Assert.Throws<ArgumentException>(() => registry.Register(new Reasoning.Core.Tasks.Arithmetic.ArithmeticTask()));
        Assert.Contains("a task named 'arithmetic' is already registered", error.Message);
    }
}
