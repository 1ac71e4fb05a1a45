using System.CommandLine;
using Reasoning.Policy.Pretrained;
using TorchSharp;

namespace Reasoning.Experiments.Cli;

/// <summary>
/// <c>make-model</c>: writes a Hugging Face model folder with random weights in a named shape (a tiny one for smoke runs,
/// the real shapes of small published models for benchmarks), with the project's byte tokenizer or the tokenizer
/// files of another folder. Nothing is downloaded: the weights are drawn from the seed.
/// </summary>
internal static class MakeModelCommand
{
    public static Command Build()
    {
        var output = new Argument<DirectoryInfo>("folder") { Description = "the model folder to write" };
        var shape = new Option<string>("--shape") { Description = $"one of {string.Join(", ", ModelShapes.Names)}", DefaultValueFactory = _ => "tiny-qwen2" };
        var seed = new Option<long>("--seed") { Description = "seed of the random weights", DefaultValueFactory = _ => 1 };
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "a folder whose tokenizer.json (and tokenizer_config.json, generation_config.json) to use; the project's byte tokenizer by default" };
        var dtype = new Option<string>("--dtype") { Description = "fp32 or bf16", DefaultValueFactory = _ => "fp32" };
        var command = new Command("make-model", "Write a Hugging Face model folder with random weights in a named shape.") { output, shape, seed, tokenizer, dtype };
        command.SetAction(result =>
        {
            HfModelConfig config;
            try
            {
                config = ModelShapes.Get(result.GetValue(shape)!);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: --shape: {e.Message.Replace(" (Parameter 'name')", "")}");
                return ExitCodes.BadInput;
            }

            torch.ScalarType? type = result.GetValue(dtype) switch
            {
                "fp32" => torch.ScalarType.Float32,
                "bf16" => torch.ScalarType.BFloat16,
                _ => null,
            };
            if (type is null)
            {
                Console.Error.WriteLine($"error: --dtype: '{result.GetValue(dtype)}' is not one of fp32, bf16");
                return ExitCodes.BadInput;
            }

            string folder = result.GetValue(output)!.FullName;
            ModelShapes.WriteRandom(folder, config, result.GetValue(seed), result.GetValue(tokenizer)?.FullName, type);
            Console.WriteLine($"wrote a random {config.Family} model of {config.Model.ParameterCount:N0} parameters to {folder}");
            return ExitCodes.Success;
        });
        return command;
    }
}
