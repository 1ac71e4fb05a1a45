using System.ComponentModel.DataAnnotations;
using Reasoning.Core.Options;
using Reasoning.Core.Strategies;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// A compute budget (<c>budget:</c> at the top of a spec): every strategy gets the same FLOPs per seed, counting its
/// training and its inference over the test questions (the base policy's fine-tuning, shared by all, is not counted).
/// </summary>
/// <param name="Flops">The budget per seed.</param>
/// <param name="CalibrationQuestions">Train problems each calibration run answers, to measure the inference cost per question.</param>
internal sealed record BudgetSpec(double Flops, int CalibrationQuestions);

/// <summary>
/// The option of a strategy the runner sizes to the budget (<c>budget:</c> on a strategy item): an integer option such
/// as <c>samples</c>, <c>simulations</c> or <c>steps</c>, measured at the two <paramref name="Pilot"/> values, fitted as a
/// line in the option, and set to the largest value whose predicted total fits, within [<paramref name="Min"/>,
/// <paramref name="Max"/>].
/// </summary>
internal sealed record BudgetKnob(string Option, int Min, int Max, int PilotLow, int PilotHigh);

/// <summary>Reads <c>budget:</c>, at the top of a spec and on strategy items.</summary>
internal static class BudgetSection
{
    public const string Key = "budget";
    private const string FlopsKey = "flops";
    private const string CalibrationKey = "calibration_questions";
    private const string OptionKey = "option";
    private const string MaxKey = "max";
    private const string PilotKey = "pilot";
    private static readonly string[] TopKeys = [FlopsKey, CalibrationKey];
    private static readonly string[] KnobKeys = [OptionKey, MaxKey, PilotKey];

    /// <summary>Calibration questions when <c>calibration_questions</c> is not given.</summary>
    public const int DefaultCalibrationQuestions = 16;

    /// <summary>The pilot values when <c>pilot</c> is not given (moved into the option's range).</summary>
    public static readonly (int Low, int High) DefaultPilot = (2, 8);

    /// <summary>The top-level <c>budget:</c>; null when absent or wrong (wrong adds errors).</summary>
    public static BudgetSpec? ReadTop(MappingReader top)
    {
        if (!top.TryReadMapping(Key, required: false, out YamlMappingNode node, string.Join(", ", TopKeys)))
        {
            return null;
        }

        var reader = new MappingReader(node, top.PathOf(Key), TopKeys, top.Errors);
        int before = top.Errors.Count;
        if (reader.TryRead(FlopsKey, required: true, out double flops) && !(flops > 0 && double.IsFinite(flops)))
        {
            reader.Errors.Add(reader.Value(FlopsKey)!, reader.PathOf(FlopsKey), $"must be a positive number of FLOPs per seed (e.g. 1e13), not {OptionsSchema.Format(flops)}");
        }

        int questions = DefaultCalibrationQuestions;
        if (reader.TryRead(CalibrationKey, required: false, out int given))
        {
            questions = given;
            if (given < 1)
            {
                reader.Errors.Add(reader.Value(CalibrationKey)!, reader.PathOf(CalibrationKey), $"must be at least 1, not {given}");
            }
        }

        return top.Errors.Count == before ? new BudgetSpec(flops, questions) : null;
    }

    /// <summary>
    /// A strategy item's <c>budget:</c>, either the option's key alone (<c>budget: samples</c>) or a mapping
    /// (<c>budget: {option: samples, max: 256, pilot: [2, 8]}</c>); null (with errors) when wrong.
    /// </summary>
    /// <param name="reader">The strategy item.</param>
    /// <param name="descriptor">The strategy, whose options the knob must be one of.</param>
    /// <param name="fixedKeys">Option keys set in <c>options:</c> or swept: the knob may not be one of them.</param>
    /// <param name="budgeted">Whether the spec has a top-level <c>budget:</c>.</param>
    public static BudgetKnob? ReadKnob(MappingReader reader, StrategyDescriptor descriptor, IReadOnlyCollection<string> fixedKeys, bool budgeted)
    {
        string path = reader.PathOf(Key);
        YamlNode node = reader.Value(Key)!;
        SpecErrors errors = reader.Errors;
        int before = errors.Count;
        var integerOptions = OptionsSchema.Describe(descriptor.OptionsType).Where(o => o.Type == typeof(int)).ToList();
        string allowed = integerOptions.Count == 0 ? "none: this strategy has no integer option" : string.Join(", ", integerOptions.Select(o => o.Key));

        string? option = null;
        YamlNode optionNode = node;
        string optionPath = path;
        MappingReader? knob = null;
        switch (node)
        {
            case YamlScalarNode { Value: { Length: > 0 } name }:
                option = name;
                break;
            case YamlMappingNode mapping:
                knob = new MappingReader(mapping, path, KnobKeys, errors);
                if (knob.TryRead(OptionKey, required: true, out string name2))
                {
                    option = name2;
                    optionNode = knob.Value(OptionKey)!;
                    optionPath = knob.PathOf(OptionKey);
                }

                break;
            default:
                errors.Add(node, path, $"expected the integer option the budget sizes ({allowed}), or a mapping with keys {string.Join(", ", KnobKeys)}; got {YamlValues.Describe(node)}");
                return null;
        }

        if (!budgeted)
        {
            errors.Add(node, path, "sizes an option to the compute budget, but the spec has no top-level 'budget: {flops: ...}'");
        }

        if (option is null)
        {
            return null;
        }

        OptionInfo? info = integerOptions.FirstOrDefault(o => o.Key == option);
        if (info is null)
        {
            errors.Add(optionNode, optionPath, Nearest.Unknown("integer option", option, integerOptions.Select(o => o.Key).ToList(), "allowed"));
            return null;
        }

        if (fixedKeys.Contains(option))
        {
            errors.Add(optionNode, optionPath, $"'{option}' is sized by the budget, so it cannot also be set in options or swept");
        }

        var range = info.Property.GetCustomAttributes(typeof(RangeAttribute), inherit: true).OfType<RangeAttribute>().FirstOrDefault();
        int min = range?.Minimum is int low ? low : 1;
        int max = range?.Maximum is int high ? high : int.MaxValue;
        if (knob?.Value(MaxKey) is not null && knob.TryRead(MaxKey, required: false, out int givenMax))
        {
            if (givenMax < min || givenMax > max)
            {
                errors.Add(knob.Value(MaxKey)!, knob.PathOf(MaxKey), $"must be between {min} and {max} (the range of '{option}'), not {givenMax}");
            }
            else
            {
                max = givenMax;
            }
        }

        (int pilotLow, int pilotHigh) = (Math.Clamp(DefaultPilot.Low, min, max), Math.Clamp(DefaultPilot.High, min, max));
        if (knob?.Value(PilotKey) is { } pilotNode && knob.TryRead(PilotKey, required: false, out IReadOnlyList<int> pilot))
        {
            if (pilot.Count != 2 || pilot[0] >= pilot[1] || pilot[0] < min || pilot[1] > max)
            {
                errors.Add(pilotNode, knob.PathOf(PilotKey), $"expected two increasing values of '{option}' between {min} and {max}, e.g. [{pilotLow}, {pilotHigh}]; got {OptionsSchema.Format(pilot)}");
            }
            else
            {
                (pilotLow, pilotHigh) = (pilot[0], pilot[1]);
            }
        }
        else if (pilotLow >= pilotHigh)
        {
            errors.Add(node, path, min == max
                ? $"'{option}' can only be {min} here, so there is nothing to size; set it in options instead"
                : $"the range of '{option}' ({min} to {max}) is too narrow for the default pilot values; set 'pilot'");
        }

        return errors.Count == before ? new BudgetKnob(option, min, max, pilotLow, pilotHigh) : null;
    }
}
