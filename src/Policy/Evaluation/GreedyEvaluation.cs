using Reasoning.Core.Accounting;
using Reasoning.Core.Problems;
using Reasoning.Core.Solutions;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Policy.Evaluation;

/// <summary>Greedy accuracy of a model on problems: decode, parse, verify.</summary>
public static class GreedyEvaluation
{
    /// <returns>The fraction of problems whose greedy answer the task verifies.</returns>
    public static double Accuracy(Transformer model, ITokenizer tokenizer, IReasoningTask task, IReadOnlyList<Problem> problems, int batchSize, IUsageMeter meter, int maxNewTokens = 128)
    {
        int correct = 0;
        var options = SamplingOptions.Greedy(maxNewTokens);
        foreach (Problem[] chunk in problems.Chunk(batchSize))
        {
            var prompts = chunk.Select(p => (IReadOnlyList<int>)tokenizer.EncodePrompt(p.Prompt)).ToList();
            var rows = chunk.Select((_, i) => new BatchedSampler.RowOptions(options, i)).ToList();
            GeneratedSequence[] outputs = BatchedSampler.Generate(model, prompts, rows, Enumerable.Repeat(meter, chunk.Length).ToList(), tokenizer: tokenizer);
            for (int i = 0; i < chunk.Length; i++)
            {
                ParsedSolution parsed = task.SolutionFormat.ParseCompletion(tokenizer.Decode(outputs[i].Tokens));
                correct += task.VerifyAnswer(chunk[i], parsed.Answer) ? 1 : 0;
            }
        }

        return problems.Count == 0 ? 0 : (double)correct / problems.Count;
    }
}
