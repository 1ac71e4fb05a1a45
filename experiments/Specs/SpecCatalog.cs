using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Experiments.Plugins;

namespace Reasoning.Experiments.Specs;

/// <summary>What names in a spec can refer to: registered tasks and strategies, and plug-ins through the loader.</summary>
internal sealed record SpecCatalog(TaskRegistry Tasks, IReadOnlyList<StrategyDescriptor> Strategies, IPluginLoader Plugins);
