using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Reasoning.Core.Accounting;
using Reasoning.Core.Strategies;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Hosting;
using Reasoning.Policy.Model;
using TorchSharp;

namespace Reasoning.Tests.Policy;

public sealed class PolicyHostTests
{
    internal static PolicyHost StartHost(Action<PolicyHostOptions>? configure = null)
    {
        var options = new PolicyHostOptions { Device = "cpu" };
        configure?.Invoke(options);
        var host = new PolicyHost(Options.Create(options), NullLogger<PolicyHost>.Instance);
        host.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return host;
    }

    [Fact]
    public async Task ConcurrentRequestsAreMergedIntoBatchesAndKeepTheirOwnResults()
    {
        using PolicyHost host = StartHost(o => o.MaxWaitMilliseconds = 200);
        ModelHandle model = host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 3), PolicyTestModels.Tokenizer);
        string[] prompts = ["1+2", "3*4", "(5-1)*2", "7", "12+3*4", "9-8", "2*2*2", "6"];
        var options = new SamplingOptions(Temperature: 1.0, MaxNewTokens: 12, Seed: 4);

        // Alone: one request per prompt, one after another.
        var alone = new List<Completion>();
        foreach (string prompt in prompts)
        {
            alone.AddRange(await host.GenerateAsync(model, [prompt], options, NullUsageMeter.Instance));
        }

        (long batchesBefore, _) = host.Statistics;
        var meters = prompts.Select(_ => new RecordingMeter()).ToArray();
        Task<IReadOnlyList<Completion>>[] together = prompts.Select((p, i) => Task.Run(() => host.GenerateAsync(model, [p], options, meters[i]))).ToArray();
        IReadOnlyList<Completion>[] merged = await Task.WhenAll(together);

        Assert.True(host.Statistics.Batches - batchesBefore < prompts.Length, $"{host.Statistics.Batches - batchesBefore} batches for {prompts.Length} requests");
        Assert.Equal(alone.Select(c => c.Text), merged.Select(m => m.Single().Text));
        // Each request is charged for its own row only.
        Assert.All(Enumerable.Range(0, prompts.Length), i => Assert.Equal(merged[i].Single().Tokens.Count, meters[i].Total.GeneratedTokens));
    }

    [Fact]
    public async Task ARequestLargerThanABatchIsSplitAndKeepsItsOrder()
    {
        using PolicyHost host = StartHost(o => o.MaxBatchSize = 3);
        ModelHandle model = host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 3), PolicyTestModels.Tokenizer);
        string[] prompts = Enumerable.Range(1, 8).Select(i => $"{i}+{i}").ToArray();
        IReadOnlyList<Completion> all = await host.GenerateAsync(model, prompts, SamplingOptions.Greedy(6), NullUsageMeter.Instance);
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal((await host.GenerateAsync(model, [prompts[i]], SamplingOptions.Greedy(6), NullUsageMeter.Instance)).Single().Text, all[i].Text);
        }
    }

    [Fact]
    public void CopiesAreExplicitAndCounted()
    {
        using PolicyHost host = StartHost();
        ModelHandle base0 = host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 5), PolicyTestModels.Tokenizer);
        long one = base0.WeightBytes;
        Assert.Equal(PolicyTestModels.Micro().ParameterCount * 4, one);
        ModelHandle trainable = host.CreateTrainableCopy(base0, "grpo");
        ModelHandle reference = host.CreateReference(base0, "kl-reference");
        Assert.Equal(3 * one, host.HeldWeightBytes);
        Assert.Equal(ModelRole.Trainable, trainable.Role);
        Assert.All(trainable.Model.parameters(), p => Assert.True(p.requires_grad));
        Assert.All(reference.Model.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(base0.Model.parameters().Zip(trainable.Model.parameters()), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
        trainable.Dispose();
        Assert.Equal(2 * one, host.HeldWeightBytes);
    }

    [Fact]
    public async Task Bf16InferenceKeepsAFullPrecisionMasterForCopies()
    {
        using PolicyHost host = StartHost(o => o.Precision = "bf16");
        using var original = new Transformer(PolicyTestModels.Micro(), seed: 6);
        var expected = original.parameters().Select(p => p.clone()).ToList();
        ModelHandle base0 = host.AddBase(original, PolicyTestModels.Tokenizer);
        Assert.Equal(torch.ScalarType.BFloat16, base0.Dtype);
        IReadOnlyList<Completion> completions = await host.GenerateAsync(base0, ["1+2"], SamplingOptions.Greedy(8), NullUsageMeter.Instance);
        Assert.NotEmpty(completions.Single().Tokens);
        ModelHandle trainable = host.CreateTrainableCopy(base0, "copy");
        Assert.Equal(torch.ScalarType.Float32, trainable.Dtype);
        Assert.All(trainable.Model.parameters().Zip(expected), p => Assert.True(p.First.eq(p.Second).all().item<bool>()));
    }

    [Fact]
    public async Task ACancelledRequestIsCancelled()
    {
        using PolicyHost host = StartHost();
        ModelHandle model = host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 3), PolicyTestModels.Tokenizer);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.GenerateAsync(model, ["1+2"], SamplingOptions.Greedy(4), NullUsageMeter.Instance, cancel.Token));
    }

    [Fact]
    public async Task ScoringGoesThroughTheHostAndIsCharged()
    {
        using PolicyHost host = StartHost();
        ModelHandle model = host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 3), PolicyTestModels.Tokenizer);
        IReadOnlyList<Completion> sample = await host.GenerateAsync(model, ["1+2"], new SamplingOptions(Temperature: 1, MaxNewTokens: 10, Seed: 2), NullUsageMeter.Instance);
        var meter = new RecordingMeter();
        float[][] scores = await host.ScoreAsync(model, [PolicyTestModels.Tokenizer.EncodePrompt("1+2")], [sample[0].Tokens], 1.0, meter);
        Assert.All(scores[0].Zip(sample[0].LogProbabilities), p => Assert.Equal(p.First, p.Second, 1e-4));
        Assert.True(meter.Total.ProcessedTokens > 0 && meter.Total.Flops > 0);
    }

    [Theory]
    [InlineData("gpu", "fp32", "device: 'gpu' is not one of auto, cpu, cuda")]
    [InlineData("cpu", "fp16", "precision: 'fp16' is not one of fp32, bf16, auto")]
    public void InvalidOptionsFailAtStartUpNamingTheKey(string device, string precision, string message)
    {
        var services = new ServiceCollection().AddLogging().AddPolicy(o => (o.Device, o.Precision) = (device, precision));
        using ServiceProvider provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<PolicyHost>());
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task AddPolicyRegistersAHostedSingletonAndTheBaselines()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging().AddPolicy(o => o.Device = "cpu");
        using IHost app = builder.Build();
        await app.StartAsync();
        var host = app.Services.GetRequiredService<PolicyHost>();
        Assert.Same(host, app.Services.GetServices<IHostedService>().OfType<PolicyHost>().Single());
        ModelHandle model = host.AddBase(new Transformer(PolicyTestModels.Micro(), seed: 1), PolicyTestModels.Tokenizer);
        Assert.Single(await host.GenerateAsync(model, ["1"], SamplingOptions.Greedy(3), NullUsageMeter.Instance));
        Assert.Equal(["greedy", "self-consistency"], app.Services.GetServices<StrategyDescriptor>().Select(d => d.Name));
        await app.StopAsync();
    }

    [Fact]
    public void CudaIsRefusedClearlyWhereLibTorchHasNone()
    {
        if (torch.cuda.is_available())
        {
            return; // a CUDA machine takes the other path
        }

        var error = Assert.Throws<InvalidOperationException>(() => PolicyHost.ResolveDevice("cuda"));
        Assert.Contains("no CUDA device", error.Message);
        Assert.Equal(DeviceType.CPU, PolicyHost.ResolveDevice("auto").type);
    }

    [Theory]
    [InlineData("fp32", "cpu", "fpu avx512_bf16 amx_bf16", false)]
    [InlineData("bf16", "cpu", "", true)]
    [InlineData("auto", "cpu", "fpu sse avx2 avx512f avx512_bf16 avx512vl", true)]   // AMD Zen 4/5, Intel Cooper Lake
    [InlineData("auto", "cpu", "fpu sse avx2 amx_tile amx_bf16", true)]             // Intel Sapphire Rapids
    [InlineData("auto", "cpu", "fpu sse avx2 avx512f avx512bw", false)]            // AVX-512 without bf16: emulated, slower than fp32
    [InlineData("auto", "cpu", "", false)]                                         // flags unreadable
    [InlineData("auto", "cpu", "avx512_bf16x", false)]                             // whole flags only
    public void AutoPrecisionIsBf16WhereTheCpuComputesItNatively(string precision, string device, string flags, bool bf16) =>
        Assert.Equal(bf16 ? torch.ScalarType.BFloat16 : torch.ScalarType.Float32, PolicyHost.ResolvePrecision(precision, new torch.Device(device), flags));
}
