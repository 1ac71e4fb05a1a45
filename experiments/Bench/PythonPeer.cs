using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// The PyTorch-eager peer: <c>bench/policy_peer.py</c> run by Debian's python3 with python3-torch,
/// in a subprocess driven over stdin/stdout with one JSON object per line each way. It times its own
/// work, so the pipe is never on the clock. The product never depends on it: where python3 or torch
/// is missing, <see cref="TryStart"/> says why and the benchmark skips the column.
/// </summary>
internal sealed class PythonPeer : IPolicyStack, IPretrainedStack
{
    /// <summary>Debian's interpreter, not whatever <c>python3</c> comes first on PATH (e.g. a pyenv one without torch).</summary>
    public const string DefaultInterpreter = "/usr/bin/python3";

    public const string ScriptPath = "bench/policy_peer.py";

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private PythonPeer(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    public string Name => "PyTorch eager (peer)";

    public string Description { get; private set; }

    /// <summary>
    /// Starts the peer, or returns null with the reason it cannot run (no interpreter, no script,
    /// no torch). <paramref name="notes"/> receives what was set up for fairness.
    /// </summary>
    public static PythonPeer? TryStart(string interpreter, string? script, int threads, out string reason, out IReadOnlyList<string> notes)
    {
        var said = new List<string>();
        notes = said;
        if (!File.Exists(interpreter))
        {
            reason = $"{interpreter} does not exist (install Debian's python3 and python3-torch: apt-get install python3-torch libopenblas0-openmp)";
            return null;
        }

        script ??= FindScript();
        if (script is null || !File.Exists(script))
        {
            reason = $"the peer script {ScriptPath} was not found above the working directory or the program's directory";
            return null;
        }

        var start = new ProcessStartInfo(interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(script);
        // The system interpreter with its own packages only: nothing from a pyenv or virtualenv on the environment.
        foreach (string variable in new[] { "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP" })
        {
            start.Environment.Remove(variable);
        }

        start.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        string? coreType = OpenBlasCoreType();
        if (coreType is not null && Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is null)
        {
            // Debian 12's OpenBLAS 0.3.21 does not know this processor model and falls back to its
            // generic SSE3 ("Prescott") kernels, several times slower: name the AVX-512 kernels it has.
            start.Environment["OPENBLAS_CORETYPE"] = coreType;
            said.Add($"the peer runs with OPENBLAS_CORETYPE={coreType}: Debian 12's OpenBLAS 0.3.21 does not recognise this CPU model and would use its generic SSE3 kernels");
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            reason = $"{interpreter} could not be started: {error.Message}";
            return null;
        }

        var peer = new PythonPeer(process, "");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._stderr)
                {
                    peer._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        try
        {
            JsonElement hello = peer.Request(new { op = "hello", threads });
            string blas = hello.GetProperty("blas_library").GetString() ?? "";
            peer.Description = string.Create(CultureInfo.InvariantCulture,
                $"{interpreter} (Python {hello.GetProperty("python").GetString()}), PyTorch {hello.GetProperty("torch").GetString()}, BLAS {blas}, {hello.GetProperty("threads").GetInt32()} threads");
            if (!blas.Contains("openblas", StringComparison.OrdinalIgnoreCase))
            {
                said.Add($"warning: the peer's BLAS is {blas}, not OpenBLAS: its training figures are not a fair peer (apt-get install libopenblas0-openmp)");
            }

            reason = "";
            return peer;
        }
        catch (PeerException error)
        {
            peer.Dispose();
            reason = error.Message.Contains("No module named 'torch'", StringComparison.Ordinal)
                ? $"{interpreter} cannot import torch (apt-get install python3-torch libopenblas0-openmp)"
                : $"{interpreter} {script} failed: {error.Message}";
            return null;
        }
    }

    /// <summary><c>bench/policy_peer.py</c> in the working directory or the program's directory or any folder above them.</summary>
    private static string? FindScript()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (DirectoryInfo? folder = new(start); folder is not null; folder = folder.Parent)
            {
                string candidate = Path.Combine(folder.FullName, ScriptPath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>An OpenBLAS kernel name for an AVX-512 x86 processor, or null where OpenBLAS's own detection should stand.</summary>
    private static string? OpenBlasCoreType() =>
        System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512BW.IsSupported ? "SkylakeX" : null;

    public IReadOnlyDictionary<int, double[]> MatmulRates(IReadOnlyList<int> sizes, double seconds)
    {
        JsonElement rates = Request(new { op = "matmul", sizes, seconds }).GetProperty("rates");
        return sizes.ToDictionary(n => n, n => rates.GetProperty(n.ToString(CultureInfo.InvariantCulture)).EnumerateArray().Select(r => r.GetDouble()).ToArray());
    }

    public void Load(ModelSpec model) =>
        Request(new { op = "load", name = model.Name, config = WeightExport.PeerConfig(model.Config), dir = model.WeightsDirectory });

    public double[] Generate(string model, int[][] prompts, int newTokens, bool useCache, int calls, long seed)
    {
        JsonElement reply = Request(new { op = "generate", name = model, prompts, new_tokens = newTokens, cache = useCache, calls, seed, temperature = 1.0 });
        if (reply.GetProperty("tokens").GetInt64() != (long)prompts.Length * newTokens)
        {
            throw new PeerException($"the peer generated {reply.GetProperty("tokens").GetInt64()} tokens, not {(long)prompts.Length * newTokens}");
        }

        return reply.GetProperty("seconds").EnumerateArray().Select(s => s.GetDouble()).ToArray();
    }

    public (double[] Seconds, double[] Losses) Train(string model, TrainingBatch batch, int steps, bool freshOptimizer)
    {
        JsonElement reply = Request(new
        {
            op = "train",
            name = model,
            ids = batch.Ids,
            targets = batch.Targets,
            steps,
            lr = batch.LearningRate,
            weight_decay = batch.WeightDecay,
            clip = batch.GradientClip,
            fresh_optimizer = freshOptimizer,
        });
        return (reply.GetProperty("seconds").EnumerateArray().Select(s => s.GetDouble()).ToArray(),
            reply.GetProperty("losses").EnumerateArray().Select(s => s.GetDouble()).ToArray());
    }

    public double LoadFolder(string folder, string precision) =>
        Request(new { op = "load_hf", folder, dtype = precision == "bf16" ? "bfloat16" : "float32" }).GetProperty("seconds").GetDouble();

    public GreedyRun[] Greedy(int[][] prompts, int newTokens, int calls)
    {
        JsonElement reply = Request(new { op = "greedy_hf", prompts, new_tokens = newTokens, calls });
        double[] prefill = reply.GetProperty("prefill_seconds").EnumerateArray().Select(s => s.GetDouble()).ToArray();
        double[] decode = reply.GetProperty("decode_seconds").EnumerateArray().Select(s => s.GetDouble()).ToArray();
        int[][] tokens = reply.GetProperty("tokens").EnumerateArray().Select(r => r.EnumerateArray().Select(t => t.GetInt32()).ToArray()).ToArray();
        if (tokens.Length != prompts.Length || tokens.Any(r => r.Length != newTokens))
        {
            throw new PeerException($"the peer generated rows of {string.Join("/", tokens.Select(r => r.Length).Distinct())} tokens for {tokens.Length} prompts, not {newTokens} for {prompts.Length}");
        }

        return prefill.Zip(decode, (p, d) => new GreedyRun(p, d, tokens)).ToArray();
    }

    public void Unload() => Request(new { op = "unload_hf" });

    public MemoryReading Memory(bool reset)
    {
        JsonElement reply = Request(new { op = "memory", reset });
        return new MemoryReading(reply.GetProperty("peak").GetInt64(), reply.GetProperty("current").GetInt64());
    }

    private JsonElement Request(object command)
    {
        try
        {
            _process.StandardInput.WriteLine(JsonSerializer.Serialize(command));
            _process.StandardInput.Flush();
        }
        catch (IOException)
        {
            throw new PeerException($"the peer exited{StderrTail()}");
        }

        string? line = _process.StandardOutput.ReadLine();
        if (line is null)
        {
            throw new PeerException($"the peer exited{StderrTail()}");
        }

        JsonElement reply = JsonDocument.Parse(line).RootElement.Clone();
        if (reply.TryGetProperty("error", out JsonElement error2))
        {
            throw new PeerException(error2.GetString() ?? "unknown error");
        }

        return reply;
    }

    /// <summary>The last lines the peer wrote to stderr, once it has exited (so that all of them have arrived).</summary>
    private string StderrTail()
    {
        if (_process.WaitForExit(5000))
        {
            _process.WaitForExit(); // drains the asynchronous stderr reader
        }

        lock (_stderr)
        {
            string text = _stderr.ToString().Trim();
            string[] lines = text.Split('\n');
            return text.Length == 0 ? "" : ": " + string.Join(" | ", lines.TakeLast(3).Select(l => l.Trim()));
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine(JsonSerializer.Serialize(new { op = "quit" }));
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }
            }
        }
        catch (Exception error) when (error is IOException or InvalidOperationException)
        {
            // Already gone: nothing to stop.
        }

        _process.Dispose();
    }
}

/// <summary>The peer failed or answered with an error.</summary>
internal sealed class PeerException(string message) : Exception(message);
