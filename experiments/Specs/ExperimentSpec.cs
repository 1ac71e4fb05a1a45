using System.Security.Cryptography;
using System.Text;
using Reasoning.Core.Strategies;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Model;
using Reasoning.Policy.Training;

namespace Reasoning.Experiments.Specs;

/// <summary>Where something is written in a spec file (1-based line and column).</summary>
internal sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>
/// A problem with a spec: where it is, which key, and what is wrong and allowed.
/// Rendered as <c>file:line:column: key: message</c> (<c>file:line:column: message</c> for problems that belong to
/// no key, such as YAML syntax errors, whose <paramref name="Key"/> is empty).
/// </summary>
internal sealed record SpecError(SourceLocation Location, string Key, string Message)
{
    public override string ToString() => Key.Length == 0 ? $"{Location}: {Message}" : $"{Location}: {Key}: {Message}";
}

/// <summary>
/// An experiment, parsed and validated: every value is the effective one (defaults filled in), every
/// name resolved (tasks, strategies, plug-ins). Made only by <see cref="SpecLoader"/>.
/// </summary>
/// <param name="Name">The experiment's name (<c>name</c>).</param>
/// <param name="SourceFile">The spec file it came from.</param>
/// <param name="Seeds">One unit of work per seed and strategy (<c>seeds</c>).</param>
/// <param name="Host">Device, precision and batching of the policy host.</param>
/// <param name="Task">The task and its problem counts.</param>
/// <param name="Policy">The base policy's shape and fine-tuning recipe.</param>
/// <param name="Strategies">The strategies compared, in spec order; labels are unique.</param>
/// <param name="Output">The results folder as written (relative paths are relative to the working directory).</param>
/// <param name="CanonicalText">Every effective value rendered deterministically, one <c>key: value</c> per line; <see cref="Hash"/> is computed from it. <c>output</c> is not part of it.</param>
/// <param name="Budget">Set when <c>budget:</c> is written: the FLOPs every strategy may spend per seed.</param>
/// <param name="TaskSweep">Set when <c>task.sweep</c> is written: the experiment runs once per value (<see cref="Task"/> is the first value's).</param>
/// <param name="SnapshotEvery">
/// <c>snapshot_every</c>: steps between resumable snapshots of each training loop (base-policy fine-tuning, reward-model
/// training, GRPO); 0 for none. Like <c>output</c>, not part of <see cref="CanonicalText"/>: a resumed loop ends as an
/// uninterrupted one would.
/// </param>
internal sealed record ExperimentSpec(
    string Name,
    string SourceFile,
    IReadOnlyList<long> Seeds,
    HostSpec Host,
    TaskSpec Task,
    PolicySpec Policy,
    IReadOnlyList<StrategySpec> Strategies,
    string Output,
    string CanonicalText,
    TaskSweep? TaskSweep = null,
    BudgetSpec? Budget = null,
    int SnapshotEvery = SpecLoader.DefaultSnapshotEvery)
{
    /// <summary>The first 12 hex digits of SHA-256 over <see cref="CanonicalText"/>: the run's identity.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalText)))[..12];

    /// <summary>
    /// The experiment at one value of its task sweep: the spec as if that value were written in <c>task:</c> without a
    /// sweep, with that spec's own canonical text (so a variant's records are those of the unswept spec).
    /// </summary>
    public ExperimentSpec ForVariant(TaskVariant variant) =>
        this with { Task = variant.Task, TaskSweep = null, CanonicalText = variant.CanonicalText };
}

/// <summary>A task sweep (<c>task.sweep</c>): one key of <c>task:</c> and its values, in increasing value.</summary>
internal sealed record TaskSweep(string Key, IReadOnlyList<TaskVariant> Variants);

/// <summary>One value of a task sweep.</summary>
/// <param name="Label">Names its folder and rows: <c>key-value</c>, e.g. <c>difficulty-3</c>.</param>
/// <param name="CanonicalText">The canonical text of the experiment at this value alone (filled in by the loader).</param>
internal sealed record TaskVariant(string Label, int Value, TaskSpec Task, string CanonicalText = "");

/// <summary>The policy host's settings (<c>device</c>, <c>precision</c>, <c>threads</c>, <c>max_batch_size</c>).</summary>
internal sealed record HostSpec(string Device, string Precision, int Threads, int MaxBatchSize);

/// <summary>
/// The task (<c>task:</c> section): <c>kind</c> names a registered task, or <c>type</c> + <c>assembly</c>
/// a plug-in; <c>difficulty</c>, <c>train</c> and <c>test</c> problem counts.
/// </summary>
internal sealed record TaskSpec(IReasoningTask Task, PluginReference? Plugin, int Difficulty, int Train, int Test);

/// <summary>
/// The base policy (<c>policy:</c> section): a <c>preset</c> (tiny, small) or explicit <c>sizes</c>, or a pretrained
/// Hugging Face model folder (<paramref name="Pretrained"/>); and the supervised fine-tuning recipe
/// (<c>fine_tuning:</c>; its seed is the unit's seed, not set here).
/// </summary>
internal sealed record PolicySpec(string? Preset, ModelSizes? Sizes, FineTuningOptions FineTuning, PretrainedSpec? Pretrained = null)
{
    /// <summary>The model shape for a tokenizer of <paramref name="vocabularySize"/> tokens.</summary>
    public TransformerConfig ConfigFor(int vocabularySize) =>
        Sizes is { } s
            ? new TransformerConfig(vocabularySize, s.Dimension, s.Layers, s.Heads, s.KvHeads, s.HiddenDimension, s.MaxSequenceLength).Validate()
            : TransformerConfig.Preset(Preset ?? "tiny", vocabularySize);
}

/// <summary>A pretrained base policy (<c>policy.checkpoint</c>).</summary>
/// <param name="Folder">The model folder, as a full path.</param>
/// <param name="Prompt">The prompt format's name: plain, chatml, llama3, or a template with <c>{question}</c>.</param>
/// <param name="System">The system message of a chat format, or null.</param>
/// <param name="ContextLength">The longest sequence the run uses (<c>context_length</c>), or null for the loader's default.</param>
/// <param name="FineTune">Whether <c>fine_tuning:</c> was written: the model is fine-tuned on the task's reference solutions first; otherwise it is used as it is.</param>
internal sealed record PretrainedSpec(string Folder, string Prompt, string? System, int? ContextLength, bool FineTune);

/// <summary>Explicit model sizes (<c>policy.sizes</c>).</summary>
internal sealed record ModelSizes(int Dimension, int Layers, int Heads, int KvHeads, int HiddenDimension, int MaxSequenceLength);

/// <summary>A plug-in type: <c>type</c> (full name) in <c>assembly</c> (a .dll path, resolved relative to the spec file's folder).</summary>
internal sealed record PluginReference(string TypeName, string AssemblyPath);

/// <summary>
/// One strategy of the experiment (an item of <c>strategies:</c>).
/// </summary>
/// <param name="Label">Its unique label in tables (<c>label</c>; defaults to the strategy name).</param>
/// <param name="Strategy">The registered name (<c>strategy</c>) or, for a plug-in, the type's full name.</param>
/// <param name="Plugin">Set for plug-ins (<c>type</c> + <c>assembly</c>).</param>
/// <param name="Descriptor">How to make it.</param>
/// <param name="Options">Its options object, bound from <c>options:</c> and validated.</param>
/// <param name="Location">Where the item starts in the spec.</param>
/// <param name="Budget">Set when the item sizes an option to the spec's compute budget (<c>budget:</c>).</param>
internal sealed record StrategySpec(string Label, string Strategy, PluginReference? Plugin, StrategyDescriptor Descriptor, object Options, SourceLocation Location, BudgetKnob? Budget = null)
{
    /// <summary>A new strategy instance (each unit of work gets its own).</summary>
    public IStrategy Create() => Descriptor.Create(Options);

    /// <summary>A new strategy instance with its budgeted option set to <paramref name="value"/>, validated as the spec's options were.</summary>
    /// <exception cref="InvalidOperationException">The value makes the options invalid; the message names the rule.</exception>
    public IStrategy CreateWith(int value)
    {
        string option = Budget?.Option ?? throw new InvalidOperationException($"{Label} sizes no option to a budget");
        object options = Reasoning.Core.Options.OptionsSchema.With(Options, option, value);
        var problems = Reasoning.Core.Options.OptionsSchema.Validate(options);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"{Label}: {option} = {value}, sized by the budget, makes the options invalid: {string.Join("; ", problems.Select(p => $"{p.Key}: {p.Message}"))}");
        }

        return Descriptor.Create(options);
    }
}
