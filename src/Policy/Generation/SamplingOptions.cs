namespace Reasoning.Policy.Generation;

/// <summary>Where a generated row stops.</summary>
public enum StopAt
{
    /// <summary>At the end of a step or of the answer: one step at a time (step-level search).</summary>
    EndOfStep,

    /// <summary>At the end of the answer: a whole solution.</summary>
    EndOfAnswer,
}

/// <summary>How to sample. Temperature 0 is greedy decoding.</summary>
/// <param name="Temperature">Logits are divided by it; 0 picks the most likely token.</param>
/// <param name="TopP">Nucleus sampling (Holtzman et al. 2020): sample from the smallest set of tokens whose probability reaches this.</param>
/// <param name="MaxNewTokens">A row that has not stopped after this many tokens is cut off.</param>
/// <param name="Stop">Which end token stops a row.</param>
/// <param name="Seed">Row i of a request draws from its own stream derived from (Seed, i), so a request's samples do not depend on what it is batched with.</param>
/// <param name="UseCache">Decode with the KV cache (the default); false recomputes every prefix (for benchmarks).</param>
public sealed record SamplingOptions(
    double Temperature = 1.0,
    double TopP = 1.0,
    int MaxNewTokens = 64,
    StopAt Stop = StopAt.EndOfAnswer,
    long Seed = 0,
    bool UseCache = true)
{
    public static SamplingOptions Greedy(int maxNewTokens = 64, StopAt stop = StopAt.EndOfAnswer) =>
        new(Temperature: 0, MaxNewTokens: maxNewTokens, Stop: stop);

    /// <exception cref="ArgumentOutOfRangeException">An option outside its range; the message names it.</exception>
    public SamplingOptions Validate()
    {
        if (Temperature < 0 || double.IsNaN(Temperature) || double.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "temperature must be 0 (greedy) or positive");
        }

        if (!(TopP > 0 && TopP <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "top_p must be in (0, 1]");
        }

        if (MaxNewTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "max_new_tokens must be at least 1");
        }

        return this;
    }
}

/// <summary>One generated continuation.</summary>
/// <param name="Tokens">Sampled token ids, the stop token included when there is one.</param>
/// <param name="LogProbabilities">Per token: log-probability under the sampling distribution (logits / temperature; raw logits when greedy), before top-p truncation.</param>
/// <param name="Stopped">The row ended at a stop token (false: cut off at max new tokens).</param>
public sealed record GeneratedSequence(IReadOnlyList<int> Tokens, IReadOnlyList<float> LogProbabilities, bool Stopped);
