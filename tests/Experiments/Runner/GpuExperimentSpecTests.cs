using Reasoning.Experiments.Cli;
using Reasoning.Policy.Pretrained;

namespace Reasoning.Tests.Experiments.Runner;

/// <summary>
/// experiments/gpu/gsm8k-qwen.yaml cannot run here (no GPU, no Qwen weights, no GSM8K), but every key of it can be
/// checked: in a copy of the layout it documents, with a random model of Qwen2.5-0.5B's family and made-up GSM8K-format
/// files of GSM8K's sizes standing in, it must validate.
/// </summary>
public sealed class GpuExperimentSpecTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gpu-spec-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void OnlyTheModelAndTheDatasetAreMissingHere()
    {
        var errors = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, ValidateCommand.Execute(Path.Combine(TestRepository.Root, "experiments", "gpu", "gsm8k-qwen.yaml"), new CommandSettings(), new StringWriter(), errors));
        string[] lines = errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("task.path: ../../data/gsm8k/train.jsonl: cannot read the file", lines[0]);
        Assert.Contains("task.test_path: ../../data/gsm8k/test.jsonl: cannot read the file", lines[1]);
        Assert.Contains("policy.checkpoint: ", lines[2]);
        Assert.EndsWith("Qwen2.5-0.5B-Instruct: the model folder does not exist", lines[2]);
    }

    [Fact]
    public void WithStandInsInItsLayoutItValidates()
    {
        string spec = Path.Combine(_root, "experiments", "gpu", "gsm8k-qwen.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(spec)!);
        File.Copy(Path.Combine(TestRepository.Root, "experiments", "gpu", "gsm8k-qwen.yaml"), spec);
        ModelShapes.WriteRandom(Path.Combine(_root, "models", "Qwen2.5-0.5B-Instruct"), ModelShapes.Get("tiny-qwen2"), seed: 1);
        Directory.CreateDirectory(Path.Combine(_root, "data", "gsm8k"));
        WriteProblems(Path.Combine(_root, "data", "gsm8k", "train.jsonl"), 7473, offset: 0);
        WriteProblems(Path.Combine(_root, "data", "gsm8k", "test.jsonl"), 1319, offset: 100_000);

        var output = new StringWriter();
        Assert.True(0 == ValidateCommand.Execute(spec, new CommandSettings(), output, output), output.ToString());
        Assert.Contains("6 strategies", output.ToString());
    }

    /// <summary>Distinct GSM8K-format problems: "What is a + b?", one step, "#### sum".</summary>
    private static void WriteProblems(string path, int count, int offset)
    {
        using var writer = new StreamWriter(path);
        for (int i = 0; i < count; i++)
        {
            int a = offset + i, b = 7;
            writer.WriteLine($$"""{"question": "What is {{a}} + {{b}}?", "answer": "{{a}} + {{b}} = {{a + b}}\n#### {{a + b}}"}""");
        }
    }
}
