using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reasoning.Core.Accounting;
using Reasoning.Policy.Generation;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Policy.Hosting;

/// <summary>
/// The one owner of the device and the models. Callers ask for generation or scoring; requests
/// from concurrent callers are merged into batched forward passes (at most
/// <see cref="PolicyHostOptions.MaxBatchSize"/> rows, waiting at most
/// <see cref="PolicyHostOptions.MaxWaitMilliseconds"/> for company) on one worker thread, and
/// every forward pass is charged to the meter of the request it serves.
/// </summary>
public sealed class PolicyHost : IHostedService, IDisposable
{
    private readonly PolicyHostOptions _options;
    private readonly ILogger<PolicyHost> _logger;
    private readonly BlockingCollection<IWork> _queue = new();
    private readonly List<ModelHandle> _handles = new();
    private readonly Dictionary<ModelHandle, Transformer> _fp32Masters = new();
    private readonly object _gate = new();
    private Thread? _worker;
    private long _batches;
    private long _rows;
    private int _disposed;

    public PolicyHost(IOptions<PolicyHostOptions> options, ILogger<PolicyHost> logger)
    {
        _options = options.Value;
        _logger = logger;
        IReadOnlyList<string> errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(PolicyHostOptions), typeof(PolicyHostOptions), errors);
        }

        Device = ResolveDevice(_options.Device);
        InferenceDtype = ResolvePrecision(_options.Precision, Device, CpuFlags());
        if (_options.Threads > 0)
        {
            torch.set_num_threads(_options.Threads);
        }
    }

    /// <summary>The device every model lives on.</summary>
    public Device Device { get; }

    /// <summary>Element type of frozen models (base, references).</summary>
    public ScalarType InferenceDtype { get; }

    /// <summary>Merged generation batches run so far, and the rows in them.</summary>
    public (long Batches, long Rows) Statistics => (Interlocked.Read(ref _batches), Interlocked.Read(ref _rows));

    /// <summary>Bytes of every model the host holds (fp32 masters of bf16 models included).</summary>
    public long HeldWeightBytes
    {
        get
        {
            lock (_gate)
            {
                return _handles.Sum(h => h.WeightBytes) + _fp32Masters.Values.Sum(m => m.WeightBytes);
            }
        }
    }

    /// <summary>
    /// Resolves <c>auto</c>, <c>cpu</c>, <c>cuda</c>. CUDA code paths are written but untested:
    /// no CUDA LibTorch is available on the project's machines.
    /// </summary>
    public static Device ResolveDevice(string device) => device switch
    {
        "cpu" => CPU,
        "cuda" when cuda.is_available() => CUDA,
        "cuda" => throw new InvalidOperationException("device: 'cuda' was asked for, but LibTorch reports no CUDA device (a CUDA build needs -p:TorchBackend=cuda and an NVIDIA GPU with its driver; see docs/gpu.md)"),
        "auto" => cuda.is_available() ? CUDA : CPU,
        _ => throw new ArgumentException($"device: '{device}' is not one of auto, cpu, cuda", nameof(device)),
    };

    /// <summary>
    /// The element type of frozen models: <c>fp32</c> and <c>bf16</c> as written; <c>auto</c> is bf16 on CUDA and on a CPU
    /// whose flags (<paramref name="cpuFlags"/>, /proc/cpuinfo's) include <c>avx512_bf16</c> or <c>amx_bf16</c>, where
    /// LibTorch's oneDNN runs bf16 matrix multiplies natively (about twice fp32's rate on this project's machines), and fp32
    /// elsewhere (emulated bf16 is slower than fp32).
    /// </summary>
    public static ScalarType ResolvePrecision(string precision, Device device, string cpuFlags) => precision switch
    {
        "bf16" => ScalarType.BFloat16,
        "auto" when device.type == DeviceType.CUDA => ScalarType.BFloat16,
        "auto" => cpuFlags.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries).Any(f => f is "avx512_bf16" or "amx_bf16") ? ScalarType.BFloat16 : ScalarType.Float32,
        _ => ScalarType.Float32,
    };

    /// <summary>The CPU's feature flags (Linux: /proc/cpuinfo's first <c>flags</c> line); empty where they cannot be read.</summary>
    private static string CpuFlags()
    {
        try
        {
            return File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal))?.Split(':', 2).ElementAtOrDefault(1) ?? ""
                : "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Takes ownership of a trained model as the frozen base policy (moved to the device and the inference precision).</summary>
    public ModelHandle AddBase(Transformer model, ITokenizer tokenizer, string name = "base") => AddFrozen(model, tokenizer, name, ModelRole.Base);

    /// <summary>A frozen copy of <paramref name="source"/>, e.g. GRPO's KL reference.</summary>
    public ModelHandle CreateReference(ModelHandle source, string name) => AddFrozen(CopyFp32(source), source.Tokenizer, name, ModelRole.Reference);

    /// <summary>A trainable fp32 copy of <paramref name="source"/>, in training mode on the host's device.</summary>
    public ModelHandle CreateTrainableCopy(ModelHandle source, string name)
    {
        Transformer copy = CopyFp32(source);
        copy.train();
        return Register(new ModelHandle(name, ModelRole.Trainable, copy, source.Tokenizer));
    }

    private ModelHandle AddFrozen(Transformer model, ITokenizer tokenizer, string name, ModelRole role)
    {
        model.to(Device);
        model.Freeze();

        Transformer? master = null;
        if (InferenceDtype != ScalarType.Float32)
        {
            // Copies for training start from full precision, not from the rounded inference weights.
            master = model;
            model = CopyOf(master, InferenceDtype);
        }

        ModelHandle handle = Register(new ModelHandle(name, role, model, tokenizer));
        if (master is not null)
        {
            lock (_gate)
            {
                _fp32Masters[handle] = master;
            }
        }

        return handle;
    }

    private ModelHandle Register(ModelHandle handle)
    {
        lock (_gate)
        {
            _handles.Add(handle);
        }

        handle.Disposed += h =>
        {
            lock (_gate)
            {
                _handles.Remove(h);
                if (_fp32Masters.Remove(h, out Transformer? master))
                {
                    master.Dispose();
                }
            }
        };
        _logger.LogInformation("policy host holds {Handle}", handle);
        return handle;
    }

    private Transformer CopyFp32(ModelHandle source)
    {
        Transformer from;
        lock (_gate)
        {
            from = _fp32Masters.TryGetValue(source, out Transformer? master) ? master : source.Model;
        }

        return CopyOf(from, ScalarType.Float32);
    }

    private Transformer CopyOf(Transformer source, ScalarType dtype)
    {
        var copy = Transformer.ForLoading(source.Config);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var target = copy.parameters().ToList();
            var from = source.parameters().ToList();
            for (int i = 0; i < target.Count; i++)
            {
                target[i].copy_(from[i].to(float32).cpu());
            }
        }

        copy.to(Device);
        if (dtype != ScalarType.Float32)
        {
            copy.to(dtype);
        }

        return copy;
    }

    /// <summary>Samples one continuation per prompt (a question line, without its newline).</summary>
    public Task<IReadOnlyList<Completion>> GenerateAsync(ModelHandle model, IReadOnlyList<string> prompts, SamplingOptions options, IUsageMeter meter, CancellationToken cancellation = default)
    {
        options.Validate();
        var ids = prompts.Select(p => (IReadOnlyList<int>)model.Tokenizer.EncodePrompt(p)).ToList();
        return GenerateAsync(model, ids, options, meter, cancellation);
    }

    /// <summary>Samples one continuation per prompt given as token ids (as <see cref="ITokenizer.EncodePrompt"/> makes them).</summary>
    public async Task<IReadOnlyList<Completion>> GenerateAsync(ModelHandle model, IReadOnlyList<IReadOnlyList<int>> prompts, SamplingOptions options, IUsageMeter meter, CancellationToken cancellation = default)
    {
        options.Validate();
        ThrowIfUnusable(model);
        if (prompts.Count == 0)
        {
            return [];
        }

        var chunks = new List<Task<GeneratedSequence[]>>();
        for (int start = 0; start < prompts.Count; start += _options.MaxBatchSize)
        {
            int count = Math.Min(_options.MaxBatchSize, prompts.Count - start);
            var request = new GenerationRequest(model, prompts.Skip(start).Take(count).ToList(), options, start, meter, cancellation);
            Enqueue(request);
            chunks.Add(request.Result.Task);
        }

        GeneratedSequence[][] done = await Task.WhenAll(chunks).ConfigureAwait(false);
        return done.SelectMany(x => x)
            .Select(s => new Completion(model.Tokenizer.Decode(s.Tokens), s.Tokens, s.LogProbabilities, s.Stopped))
            .ToList();
    }

    /// <summary>Log-probabilities of each continuation's tokens after its prompt (token ids), in one batched pass per call.</summary>
    public Task<float[][]> ScoreAsync(ModelHandle model, IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> continuations, double temperature, IUsageMeter meter, CancellationToken cancellation = default)
    {
        ThrowIfUnusable(model);
        var work = new ScoringWork(() => ContinuationScorer.Score(model.Model, prompts, continuations, temperature, Enumerable.Repeat(meter, prompts.Count).ToList()), cancellation);
        Enqueue(work);
        return work.Result.Task;
    }

    private void ThrowIfUnusable(ModelHandle model)
    {
        ObjectDisposedException.ThrowIf(model.IsDisposed, model);
        if (_worker is null)
        {
            throw new InvalidOperationException("the policy host has not been started (StartAsync)");
        }
    }

    private void Enqueue(IWork work)
    {
        try
        {
            _queue.Add(work);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(PolicyHost), "the policy host has stopped");
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _logger.LogInformation("policy host on {Device}, inference precision {Precision}, {Threads} CPU thread(s), batches of at most {Batch} rows",
            Device.type, InferenceDtype == ScalarType.BFloat16 ? "bf16" : "fp32", torch.get_num_threads(), _options.MaxBatchSize);
        _worker = new Thread(Work) { IsBackground = true, Name = "policy-host" };
        _worker.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.CompleteAdding();
        _worker?.Join();
        return Task.CompletedTask;
    }

    /// <summary>The worker: takes a request, gathers compatible ones for a moment, runs them as one batch.</summary>
    private void Work()
    {
        var deferred = new Queue<IWork>();
        while (true)
        {
            IWork? first = deferred.Count > 0 ? deferred.Dequeue() : Take(Timeout.InfiniteTimeSpan);
            if (first is null)
            {
                break;
            }

            if (first is not GenerationRequest generation)
            {
                first.Run();
                continue;
            }

            var batch = new List<GenerationRequest> { generation };
            int rows = generation.Prompts.Count;
            var deadline = DateTime.UtcNow.AddMilliseconds(_options.MaxWaitMilliseconds);
            while (rows < _options.MaxBatchSize)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                IWork? next = left > TimeSpan.Zero ? Take(left) : Take(TimeSpan.Zero);
                if (next is null)
                {
                    break;
                }

                if (next is GenerationRequest other && other.CanJoin(generation) && rows + other.Prompts.Count <= _options.MaxBatchSize)
                {
                    batch.Add(other);
                    rows += other.Prompts.Count;
                }
                else
                {
                    deferred.Enqueue(next);
                }
            }

            Run(batch);
        }
    }

    /// <summary>The next piece of work within <paramref name="wait"/>, or null (also once the host has stopped).</summary>
    private IWork? Take(TimeSpan wait)
    {
        try
        {
            return _queue.TryTake(out IWork? work, wait) ? work : null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    private void Run(List<GenerationRequest> batch)
    {
        batch.RemoveAll(r =>
        {
            if (!r.Cancellation.IsCancellationRequested)
            {
                return false;
            }

            r.Result.TrySetCanceled(r.Cancellation);
            return true;
        });
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            var prompts = batch.SelectMany(r => r.Prompts).ToList();
            var rowOptions = batch.SelectMany(r => r.Prompts.Select((_, i) => new BatchedSampler.RowOptions(r.Options, r.FirstRow + i))).ToList();
            var meters = batch.SelectMany(r => r.Prompts.Select(_ => r.Meter)).ToList();
            GeneratedSequence[] outputs = BatchedSampler.Generate(batch[0].Model.Model, prompts, rowOptions, meters, tokenizer: batch[0].Model.Tokenizer);
            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _rows, prompts.Count);
            int at = 0;
            foreach (GenerationRequest request in batch)
            {
                request.Result.TrySetResult(outputs[at..(at + request.Prompts.Count)]);
                at += request.Prompts.Count;
            }
        }
        catch (Exception e)
        {
            foreach (GenerationRequest request in batch)
            {
                request.Result.TrySetException(e);
            }
        }
    }

    /// <summary>Stops the worker and releases every model. Safe to call more than once (the container may).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }

        _worker?.Join();
        _queue.Dispose();
        foreach (ModelHandle handle in _handles.ToList())
        {
            handle.Dispose();
        }
    }

    private interface IWork
    {
        void Run();
    }

    private sealed class GenerationRequest(ModelHandle model, List<IReadOnlyList<int>> prompts, SamplingOptions options, int firstRow, IUsageMeter meter, CancellationToken cancellation) : IWork
    {
        public ModelHandle Model { get; } = model;
        public List<IReadOnlyList<int>> Prompts { get; } = prompts;
        public SamplingOptions Options { get; } = options;

        /// <summary>Index of the first prompt within the caller's request: rows draw from streams (seed, row).</summary>
        public int FirstRow { get; } = firstRow;
        public IUsageMeter Meter { get; } = meter;
        public CancellationToken Cancellation { get; } = cancellation;
        public TaskCompletionSource<GeneratedSequence[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Rows share one forward pass when they use the same model and the same per-batch settings.</summary>
        public bool CanJoin(GenerationRequest other) =>
            ReferenceEquals(Model, other.Model) && Options.Temperature == other.Options.Temperature && Options.TopP == other.Options.TopP
            && Options.MaxNewTokens == other.Options.MaxNewTokens && Options.UseCache == other.Options.UseCache;

        public void Run() => throw new InvalidOperationException("generation requests run in batches");
    }

    private sealed class ScoringWork(Func<float[][]> work, CancellationToken cancellation) : IWork
    {
        public TaskCompletionSource<float[][]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run()
        {
            if (cancellation.IsCancellationRequested)
            {
                Result.TrySetCanceled(cancellation);
                return;
            }

            try
            {
                Result.TrySetResult(work());
            }
            catch (Exception e)
            {
                Result.TrySetException(e);
            }
        }
    }
}
