using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Tokenization;
using YamlDotNet.RepresentationModel;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// What <c>run</c> would die on once it starts, found before it does: each seed's problem split is drawn exactly as the
/// runner draws it (so a task and difficulty that cannot give train + test distinct problems is an error at the key that
/// asks too much, with the number found), and every drawn problem's prompt and reference solution is encoded with the
/// built-in policy's tokenizer (so a task whose <c>Alphabet</c> misses a character it uses is an error at the task).
/// A task that throws while making problems is an error too, never a stack trace.
/// </summary>
internal static class TaskProbe
{
    public static void Check(ExperimentSpec spec, YamlMappingNode taskNode, SpecErrors errors)
    {
        IEnumerable<TaskSpec> tasks = spec.TaskSweep?.Variants.Select(v => v.Task) ?? [spec.Task];
        foreach (TaskSpec task in tasks)
        {
            foreach (long seed in spec.Seeds)
            {
                if (!Probe(spec, task, seed, taskNode, errors))
                {
                    return; // one report is enough: the other seeds and values would say the same
                }
            }
        }
    }

    private static bool Probe(ExperimentSpec spec, TaskSpec task, long seed, YamlMappingNode taskNode, SpecErrors errors)
    {
        string name = task.Task.Name;
        ProblemSplit split;
        try
        {
            split = ProblemSplit.Create(task.Task, task.Difficulty, task.Train, task.Test, seed);
        }
        catch (TooFewProblemsException e)
        {
            (YamlNode at, string key) = Locate(taskNode, e.Split);
            errors.Add(at, key, $"{e.Message} (seed {seed}, found by drawing the split as run does)");
            return false;
        }
        catch (Exception e)
        {
            (YamlNode at, string key) = Locate(taskNode, TaskKeyOf(taskNode));
            errors.Add(at, key, $"task '{name}' failed while making the problems of seed {seed}: {e.GetType().Name}: {e.Message}");
            return false;
        }

        if (spec.Policy.Pretrained is not null)
        {
            return true; // a pretrained tokenizer encodes any text
        }

        var tokenizer = CharTokenizer.ForAlphabets([task.Task.Alphabet]);
        foreach (Problem problem in split.Test.Concat(split.Train))
        {
            try
            {
                tokenizer.EncodePrompt(problem.Prompt);
                tokenizer.Encode(task.Task.SolutionFormat.RenderCompletion(problem.ReferenceSteps, problem.Answer));
            }
            catch (ArgumentException e)
            {
                (YamlNode at, string key) = Locate(taskNode, TaskKeyOf(taskNode));
                errors.Add(at, key, $"task '{name}''s Alphabet does not cover problem {problem.Id} (seed {seed}): {e.Message}; " +
                    "every character of a prompt, a reference step or an answer must be in the task's Alphabet");
                return false;
            }
        }

        return true;
    }

    /// <summary><c>kind</c> for a registered task or a dataset, <c>type</c> for a plug-in.</summary>
    private static string TaskKeyOf(YamlMappingNode taskNode) => Child(taskNode, PluginSource.TypeKey) is null ? "kind" : PluginSource.TypeKey;

    /// <summary>The value of <paramref name="key"/> in the task mapping, or in its sweep when the key is swept; the mapping itself when neither has it.</summary>
    private static (YamlNode At, string Key) Locate(YamlMappingNode taskNode, string key)
    {
        if (Child(taskNode, key) is { } value)
        {
            return (value, $"{TaskSection.Key}.{key}");
        }

        if (Child(taskNode, "sweep") is YamlMappingNode sweep && Child(sweep, key) is { } swept)
        {
            return (swept, $"{TaskSection.Key}.sweep.{key}");
        }

        return (taskNode, TaskSection.Key);
    }

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: var k } && k == key).Value;
}
