using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy;

/// <summary>The native library loads after a plain build, and tensors, autograd and an optimizer work.</summary>
public sealed class TorchSharpLoadsTests
{
    [Fact]
    public void TensorsAutogradAndOneOptimizerStepWork()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);

        // A 3 -> 1 linear model fitted to y = x·w* by one AdamW step: the loss must fall.
        var target = tensor(new float[] { 1f, -2f, 0.5f }).reshape(3, 1);          // [3, 1]
        var x = randn(new long[] { 16, 3 }, generator: generator);               // [16, 3]
        var y = x.matmul(target);                                                // [16, 1]
        var w = new TorchSharp.Modules.Parameter(zeros(3, 1));                     // [3, 1]
        var optimizer = optim.AdamW(new[] { w }, lr: 0.1);

        var loss = (x.matmul(w) - y).pow(2).mean();
        loss.backward();
        Assert.NotNull(w.grad);
        // d/dw mean((xw - y)^2) at w = 0 is -2/N · xᵀy.
        var expected = x.t().matmul(y) * (-2.0 / 16);
        Assert.True(allclose(w.grad!, expected, rtol: 1e-5, atol: 1e-6));

        optimizer.step();
        var after = (x.matmul(w) - y).pow(2).mean();
        Assert.True(after.item<float>() < loss.item<float>());
    }
}
