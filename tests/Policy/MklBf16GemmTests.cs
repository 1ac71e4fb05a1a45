using Reasoning.Policy.Devices;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy;

/// <summary>
/// MKL's bf16 kernel for products of a few rows (src/Policy/Devices/MklBf16Gemm.cs): hand-worked products, a strided row
/// view, random rows against an fp32 product of the same bf16 values, and where it applies. That a whole model decodes
/// right through it is checked by the bf16 parity test against the PyTorch reference (tests/Policy/Pretrained).
/// </summary>
[Collection(LeakChecks.Name)]
public sealed class MklBf16GemmTests
{
    [Fact]
    public void OnAProcessorWhereMklDispatchIsActive_TheKernelIsFound()
    {
        if (MklDispatch.State == MklDispatchState.Active)
        {
            Assert.True(MklBf16Gemm.Available);
        }
        else
        {
            Assert.NotEqual(MklDispatchState.TurnedOff, MklDispatch.State); // the suite runs with the dispatch as the product has it
        }
    }

    [Fact]
    public void TwoRowsWithABias_AreTheHandWorkedProducts()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor x = tensor(new float[,] { { 1, 2, 3 }, { -1, 0.5f, 4 } }).to(ScalarType.BFloat16);                       // [2, 3]
        Tensor w = tensor(new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 1 }, { 2, -1, 0.5f } }).to(ScalarType.BFloat16); // [4, 3]
        Tensor bias = tensor(new float[] { 0.5f, 0, -6, 0 }).to(ScalarType.BFloat16);
        // Row 1: (1, 2, 1+2+3, 2-2+1.5) + bias = (1.5, 2, 0, 1.5). Row 2: (-1, 0.5, -1+0.5+4, -2-0.5+2) + bias = (-0.5, 0.5, -2.5, -0.5).
        float[] expected = [1.5f, 2, 0, 1.5f, -0.5f, 0.5f, -2.5f, -0.5f];
        if (!MklBf16Gemm.Available)
        {
            Assert.False(MklBf16Gemm.Applies(x, w));
            return;
        }

        Assert.True(MklBf16Gemm.Applies(x, w));
        Tensor y = MklBf16Gemm.Linear(x, w, bias);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.Equal(new long[] { 2, 4 }, y.shape);
        Assert.Equal(expected, y.to(ScalarType.Float32).data<float>().ToArray());
        Assert.Equal(new float[] { 1, 2, 6, 1.5f, -1, 0.5f, 3.5f, -0.5f }, MklBf16Gemm.Linear(x, w, null).to(ScalarType.Float32).data<float>().ToArray());
    }

    /// <summary>
    /// Rows of Qwen2.5-0.5B's width, one of them a strided view (the last position of each row of a [B, T, C] batch, as a
    /// sampler's prefill reads it), against an fp32 product of the same bf16 values rounded to bf16: the two sum in another
    /// order, so an element may land one bf16 step (2⁻⁷ of its size) away, and no further.
    /// </summary>
    [Fact]
    public void RandomRowsAndAStridedView_AgreeWithAnFp32ProductOfTheSameValues()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new Generator(7);
        Tensor w = randn(new long[] { 1152, 896 }, generator: generator).to(ScalarType.BFloat16);   // [N, K]
        Tensor bias = randn(new long[] { 1152 }, generator: generator).to(ScalarType.BFloat16);    // [N]
        Tensor batch = randn(new long[] { 3, 5, 896 }, generator: generator).to(ScalarType.BFloat16); // [B, T, K]
        Tensor last = batch.select(1, 4);                                                          // [3, 896], row stride 5·896
        if (!MklBf16Gemm.Available)
        {
            Assert.False(MklBf16Gemm.Applies(last, w));
            return;
        }

        Assert.True(MklBf16Gemm.Applies(last, w));
        float[] strided = MklBf16Gemm.Linear(last, w, bias).to(ScalarType.Float32).data<float>().ToArray();
        float[] contiguous = MklBf16Gemm.Linear(last.contiguous(), w, bias).to(ScalarType.Float32).data<float>().ToArray();
        Assert.Equal(contiguous, strided);
        float[] reference = (last.to(ScalarType.Float32).matmul(w.to(ScalarType.Float32).t()) + bias.to(ScalarType.Float32))
            .to(ScalarType.BFloat16).to(ScalarType.Float32).data<float>().ToArray();
        for (int i = 0; i < reference.Length; i++)
        {
            double step = Math.Abs(reference[i]) / 128 + 1e-3;
            Assert.True(Math.Abs(strided[i] - reference[i]) <= step, $"element {i}: {strided[i]} against {reference[i]}");
        }
    }

    [Fact]
    public void OnlyBf16ProductsOfAFewContiguousRowsWithoutGradients_TakeThePath()
    {
        using var scope = NewDisposeScope();
        Tensor w = zeros(new long[] { 8, 16 }, ScalarType.BFloat16);
        Tensor four = zeros(new long[] { 4, 16 }, ScalarType.BFloat16);
        using (no_grad())
        {
            Assert.Equal(MklBf16Gemm.Available, MklBf16Gemm.Applies(four, w));
            Assert.False(MklBf16Gemm.Applies(zeros(new long[] { 5, 16 }, ScalarType.BFloat16), w));           // more than MaxRows
            Assert.False(MklBf16Gemm.Applies(four.to(ScalarType.Float32), w.to(ScalarType.Float32)));       // fp32: LibTorch's kernels
            Assert.False(MklBf16Gemm.Applies(four, zeros(new long[] { 16, 8 }, ScalarType.BFloat16).t()));  // a transposed weight
            Assert.False(MklBf16Gemm.Applies(zeros(new long[] { 16, 4 }, ScalarType.BFloat16).t(), w));     // rows not contiguous
        }

        Assert.False(MklBf16Gemm.Applies(four, w)); // gradients on: autograd needs LibTorch's op
    }
}
