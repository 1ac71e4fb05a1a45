using System.Reflection;
using Reasoning.Core.Tasks.Arithmetic;
using Reasoning.Core.Tasks.Countdown;
using Reasoning.Core.Tasks.ShortestPath;

namespace Reasoning.Core.Tasks;

/// <summary>Tasks by name: the built-in ones, and tasks from other assemblies.</summary>
public sealed class TaskRegistry
{
    private readonly Dictionary<string, IReasoningTask> _tasks = new(StringComparer.Ordinal);

    /// <summary>A registry holding the built-in tasks.</summary>
    public static TaskRegistry CreateDefault()
    {
        var registry = new TaskRegistry();
        registry.Register(new ArithmeticTask());
        registry.Register(new CountdownTask());
        registry.Register(new ShortestPathTask());
        return registry;
    }

    /// <summary>Every registered task, by name.</summary>
    public IReadOnlyList<IReasoningTask> All => _tasks.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    /// <exception cref="ArgumentException">A task of that name is already registered.</exception>
    public void Register(IReasoningTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (string.IsNullOrWhiteSpace(task.Name))
        {
            throw new ArgumentException($"task type {task.GetType().FullName} has an empty name", nameof(task));
        }

        if (!_tasks.TryAdd(task.Name, task))
        {
            throw new ArgumentException(
                $"a task named '{task.Name}' is already registered ({_tasks[task.Name].GetType().FullName}); " +
                $"{task.GetType().FullName} needs another name", nameof(task));
        }
    }

    /// <summary>
    /// Registers every public, concrete <see cref="IReasoningTask"/> in <paramref name="assembly"/>
    /// that has a public parameterless constructor. Returns the tasks registered.
    /// </summary>
    public IReadOnlyList<IReasoningTask> RegisterFrom(Assembly assembly)
    {
        var added = new List<IReasoningTask>();
        foreach (Type type in assembly.GetExportedTypes())
        {
            if (type.IsAbstract || type.IsInterface || !typeof(IReasoningTask).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
            {
                continue;
            }

            IReasoningTask task;
            try
            {
                task = (IReasoningTask)Activator.CreateInstance(type)!;
            }
            catch (TargetInvocationException e)
            {
                throw new InvalidOperationException(
                    $"the constructor of task type {type.FullName} in {assembly.GetName().Name} threw: {e.InnerException?.Message}", e.InnerException);
            }

            Register(task);
            added.Add(task);
        }

        return added;
    }

    public bool TryGet(string name, out IReasoningTask task) => _tasks.TryGetValue(name, out task!);

    /// <exception cref="KeyNotFoundException">No such task; the message lists the known ones.</exception>
    public IReasoningTask Get(string name) =>
        _tasks.TryGetValue(name, out IReasoningTask? task)
            ? task
            : throw new KeyNotFoundException($"unknown task '{name}'; known tasks: {string.Join(", ", _tasks.Keys.Order(StringComparer.Ordinal))}");
}
