namespace Reasoning.Experiments.Bench;

/// <summary>
/// A stack measured by <c>bench policy --shape</c>: it loads a Hugging Face model folder (the C# stack through
/// <c>ModelFolder.Load</c>, the peer through <c>bench/hf_reference</c>'s reader) and decodes greedily.
/// </summary>
internal interface IPretrainedStack : IBenchStack
{
    /// <summary>Loads <paramref name="folder"/> in <paramref name="precision"/> (<c>fp32</c> or <c>bf16</c>), replacing any model loaded before; returns the seconds it took.</summary>
    double LoadFolder(string folder, string precision);

    /// <summary>
    /// <paramref name="calls"/> greedy generate calls: the prompts (of mixed lengths) left-padded into one batch, and
    /// every row decoded for exactly <paramref name="newTokens"/> tokens, stop tokens ignored.
    /// </summary>
    GreedyRun[] Greedy(int[][] prompts, int newTokens, int calls);

    /// <summary>Frees the loaded model.</summary>
    void Unload();
}

/// <summary>
/// One greedy generate call, split where the first tokens of every row are on the host: the prefill (prompt
/// tensors, one forward pass over the padded prompts, the first choice) and the decode (every later step).
/// </summary>
/// <param name="Tokens">The generated tokens per row.</param>
internal sealed record GreedyRun(double PrefillSeconds, double DecodeSeconds, int[][] Tokens);
