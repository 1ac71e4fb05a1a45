using Reasoning.Core.Accounting;
using Reasoning.Policy.Model;

namespace Reasoning.Policy.Accounting;

/// <summary>
/// What one full (causal, teacher-forced) pass of a transformer over a [rows × length] batch costs, charged to a
/// meter: the Policy project's one place where a training or scoring pass is priced (<see cref="TransformerConfig.ForwardFlops"/>
/// with every row attending length·(length + 1)/2 positions). Generation is priced by the host as it decodes.
/// </summary>
public static class PassCharges
{
    /// <summary>A forward pass without gradient: rows × length processed tokens.</summary>
    public static Usage Forward(TransformerConfig config, long rows, long length)
    {
        long tokens = rows * length;
        return new Usage(0, tokens, 0, config.ForwardFlops(tokens, Attended(rows, length)));
    }

    /// <summary>A forward and backward pass: rows × length trained tokens at three times the forward FLOPs.</summary>
    public static Usage Training(TransformerConfig config, long rows, long length)
    {
        long tokens = rows * length;
        return new Usage(0, 0, tokens, 3 * config.ForwardFlops(tokens, Attended(rows, length)));
    }

    /// <summary>Charges a forward pass without gradient to <paramref name="meter"/>.</summary>
    public static void ChargeForward(this IUsageMeter meter, TransformerConfig config, long rows, long length) =>
        meter.Record(Forward(config, rows, length));

    /// <summary>Charges a forward and backward pass to <paramref name="meter"/>.</summary>
    public static void ChargeTraining(this IUsageMeter meter, TransformerConfig config, long rows, long length) =>
        meter.Record(Training(config, rows, length));

    private static double Attended(long rows, long length) => rows * length * (length + 1) / 2.0;
}
