using System.Diagnostics;
using Reasoning.Core.Accounting;
using Reasoning.Policy.Accounting;
using Reasoning.Policy.Devices;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Model;
using Reasoning.Policy.Pretrained;
using Reasoning.Policy.Training;
using TorchSharp;
using static TorchSharp.torch;
using AdamW = TorchSharp.Modules.AdamW;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// The C# stack, in this process: the product's own code paths (<see cref="BatchedSampler"/>,
/// <see cref="SupervisedFineTuning.Step"/>, <see cref="ModelFolder.Load"/>), timed with a monotonic clock.
/// </summary>
internal sealed class TorchSharpStack : IPolicyStack, IPretrainedStack
{
    private readonly Dictionary<string, Transformer> _models = new();
    private readonly Dictionary<string, AdamW> _optimizers = new();
    private LoadedModelFolder? _pretrained;

    public string Name => "C# (TorchSharp)";

    public string Description =>
        $"TorchSharp {typeof(torch).Assembly.GetName().Version?.ToString(3)}, LibTorch (NuGet libtorch-cpu), .NET {Environment.Version}, {get_num_threads()} threads, {MklDispatch.Describe()}";

    public IReadOnlyDictionary<int, double[]> MatmulRates(IReadOnlyList<int> sizes, double seconds)
    {
        var rates = new Dictionary<int, double[]>();
        foreach (int n in sizes)
        {
            using var scope = NewDisposeScope();
            Tensor a = randn(n, n), b = randn(n, n);
            for (int i = 0; i < 2; i++)
            {
                a.mm(b).Dispose();
            }

            var perRepeat = new List<double>();
            var deadline = Stopwatch.StartNew();
            while (perRepeat.Count < 3 || deadline.Elapsed.TotalSeconds < seconds)
            {
                var clock = Stopwatch.StartNew();
                int repeats = 0;
                while (repeats < 2 || clock.Elapsed.TotalSeconds < 0.1)
                {
                    a.mm(b).Dispose();
                    repeats++;
                }

                perRepeat.Add(2.0 * n * n * (double)n * repeats / clock.Elapsed.TotalSeconds / 1e9);
            }

            rates[n] = perRepeat.ToArray();
        }

        return rates;
    }

    public void Load(ModelSpec model) => _models[model.Name] = model.Model;

    public double[] Generate(string model, int[][] prompts, int newTokens, bool useCache, int calls, long seed)
    {
        Transformer transformer = _models[model];
        transformer.eval();
        IReadOnlyList<int>[] rows = prompts.Select(p => (IReadOnlyList<int>)p).ToArray();
        IUsageMeter[] meters = Enumerable.Repeat<IUsageMeter>(NullUsageMeter.Instance, rows.Length).ToArray();
        var seconds = new double[calls];
        for (int call = 0; call < calls; call++)
        {
            var options = new SamplingOptions(Temperature: 1.0, MaxNewTokens: newTokens, Seed: seed + call, UseCache: useCache);
            BatchedSampler.RowOptions[] rowOptions = Enumerable.Range(0, rows.Length).Select(i => new BatchedSampler.RowOptions(options, i)).ToArray();
            var clock = Stopwatch.StartNew();
            GeneratedSequence[] output = BatchedSampler.Generate(transformer, rows, rowOptions, meters, ignoreStopTokens: true);
            seconds[call] = clock.Elapsed.TotalSeconds;
            if (output.Any(o => o.Tokens.Count != newTokens))
            {
                throw new InvalidOperationException("a benchmark row stopped before its length limit");
            }
        }

        return seconds;
    }

    public (double[] Seconds, double[] Losses) Train(string model, TrainingBatch batch, int steps, bool freshOptimizer)
    {
        Transformer transformer = _models[model];
        if (freshOptimizer && _optimizers.Remove(model, out AdamW? old))
        {
            old.Dispose();
        }

        if (!_optimizers.TryGetValue(model, out AdamW? optimizer))
        {
            optimizer = SupervisedFineTuning.CreateOptimizer(transformer, batch.LearningRate, batch.WeightDecay);
            _optimizers[model] = optimizer;
        }

        var seconds = new double[steps];
        var losses = new double[steps];
        transformer.train();
        using (var scope = NewDisposeScope())
        {
            Tensor ids = tensor(batch.Ids.SelectMany(r => r).ToArray(), new long[] { batch.Rows, batch.Length });         // [B, T]
            Tensor targets = tensor(batch.Targets.SelectMany(r => r).ToArray(), new long[] { batch.Rows, batch.Length }); // [B, T]
            for (int step = 0; step < steps; step++)
            {
                var clock = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    losses[step] = SupervisedFineTuning.Step(transformer, optimizer, ids, targets, batch.GradientClip).Loss;
                }

                seconds[step] = clock.Elapsed.TotalSeconds;
            }
        }

        transformer.eval();
        return (seconds, losses);
    }

    public double LoadFolder(string folder, string precision)
    {
        Unload();
        var clock = Stopwatch.StartNew();
        LoadedModelFolder loaded = ModelFolder.Load(folder);
        loaded.Model.Freeze();

        if (precision == "bf16")
        {
            loaded.Model.to(ScalarType.BFloat16); // what the policy host does to a frozen model for precision: bf16
        }

        _pretrained = loaded;
        return clock.Elapsed.TotalSeconds;
    }

    public GreedyRun[] Greedy(int[][] prompts, int newTokens, int calls)
    {
        Transformer model = _pretrained?.Model ?? throw new InvalidOperationException("no model folder is loaded");
        IReadOnlyList<int>[] rows = prompts.Select(p => (IReadOnlyList<int>)p).ToArray();
        BatchedSampler.RowOptions[] options = Enumerable.Range(0, rows.Length).Select(i => new BatchedSampler.RowOptions(SamplingOptions.Greedy(newTokens), i)).ToArray();
        var runs = new GreedyRun[calls];
        for (int call = 0; call < calls; call++)
        {
            var clock = new FirstTokensClock(rows.Length);
            IUsageMeter[] meters = Enumerable.Repeat<IUsageMeter>(clock, rows.Length).ToArray();
            GeneratedSequence[] output = BatchedSampler.Generate(model, rows, options, meters, ignoreStopTokens: true);
            double total = clock.Elapsed, prefill = clock.FirstTokensAt ?? total;
            if (output.Any(o => o.Tokens.Count != newTokens))
            {
                throw new InvalidOperationException("a benchmark row stopped before its length limit");
            }

            runs[call] = new GreedyRun(prefill, total - prefill, output.Select(o => o.Tokens.ToArray()).ToArray());
        }

        return runs;
    }

    public void Unload()
    {
        _pretrained?.Dispose();
        _pretrained = null;
    }

    public MemoryReading Memory(bool reset)
    {
        var reading = new MemoryReading(ResidentMemory.PeakBytes(), ResidentMemory.CurrentBytes());
        if (reset)
        {
            // Hand freed heap back to the OS first (both stacks do), so the next peak is the next phase's own.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            NativeHeap.Trim();
            ResidentMemory.TryResetPeak();
        }

        return reading;
    }

    public void Dispose()
    {
        Unload();
        foreach (AdamW optimizer in _optimizers.Values)
        {
            optimizer.Dispose();
        }

        _optimizers.Clear();
    }
}
