using System.Globalization;
using Reasoning.Core.Problems;
using Reasoning.Core.Tasks;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Experiments.Bench;

/// <summary>
/// <c>bench policy</c>: the C# stack and, where it runs, the PyTorch-eager peer, measured in turns in
/// one run on the same weights and inputs: the fp32 matmul peak first, then generation, loss parity,
/// training, and a soak of the C# sampler. The stacks alternate turn by turn (never run at once), so
/// load from elsewhere on a shared machine falls on both; every rate is the median over all timed
/// calls or steps of every round, each turn's first call or step untimed.
/// </summary>
internal static class PolicyBenchmark
{
    /// <summary>Losses of the same steps must agree this closely (fp32, same weights, same batch).</summary>
    public const double ParityTolerance = 1e-5;

    public static PolicyBenchReport Run(
        PolicyBenchSettings settings, IPolicyStack csharp, IPolicyStack? peer, string? peerSkippedBecause, IReadOnlyList<string> notes,
        string command, TextWriter progress)
    {
        string loadAtStart = LoadAverage();
        IPolicyStack[] stacks = peer is null ? [csharp] : [csharp, peer];
        var tokenizer = CharTokenizer.ForAlphabets(TaskRegistry.CreateDefault().All.Select(t => t.Alphabet));
        int vocabulary = tokenizer.VocabularySize;
        var random = DeterministicRandom.ForPurpose(1, "bench/policy");
        string scratch = Path.Combine(Path.GetTempPath(), $"reasoning-bench-policy-{Environment.ProcessId}");
        var models = new List<Transformer>();
        try
        {
            // 1. The machine's fp32 matmul peak, before anything else runs.
            progress.WriteLine("fp32 matmul rates ...");
            foreach (IPolicyStack stack in stacks)
            {
                stack.Memory(reset: true);
            }

            var matmul = stacks.ToDictionary(s => s, _ => settings.MatmulSizes.ToDictionary(n => n, _ => new List<double>()));
            // At least two turns of a second per size: this shared machine has slow spells, and a peak
            // caught in one would inflate every MFU figure.
            for (int round = 0; round < Math.Max(2, settings.Rounds / 2); round++)
            {
                foreach (IPolicyStack stack in stacks)
                {
                    foreach ((int n, double[] rates) in stack.MatmulRates(settings.MatmulSizes, Math.Max(1.0, settings.SecondsPerTurn / 3)))
                    {
                        matmul[stack][n].AddRange(rates);
                    }
                }
            }

            // The highest rate any repeat of either stack reached: other load on the machine only ever lowers a rate.
            var matmulPeaks = stacks.ToDictionary(s => s, s => (IReadOnlyDictionary<int, double>)matmul[s].ToDictionary(p => p.Key, p => p.Value.Max()));
            double machinePeak = matmulPeaks.Values.SelectMany(p => p.Values).Max();
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  highest fp32 matmul rate: {machinePeak:F0} GFLOP/s"));

            // 2. Models, exported once, loaded by every stack.
            ModelSpec Create(string name, TransformerConfig config, long seed)
            {
                var model = new Transformer(config, seed);
                models.Add(model);
                var spec = new ModelSpec(name, model, Path.Combine(scratch, name));
                WeightExport.Write(model, spec.WeightsDirectory);
                foreach (IPolicyStack stack in stacks)
                {
                    stack.Load(spec);
                }

                return spec;
            }

            var training = new[] { Create("tiny", TransformerConfig.Tiny(vocabulary), seed: 1), Create("small", TransformerConfig.Small(vocabulary), seed: 2) };
            ModelSpec parityModel = Create("parity", TransformerConfig.Small(vocabulary), seed: 3);
            ModelSpec generation = training.First(m => m.Name == settings.GenerationPreset.ToLowerInvariant());

            // 3. Generation, fixed work: every row gets all its new tokens.
            foreach (IPolicyStack stack in stacks)
            {
                stack.Memory(reset: true);
            }

            var generationFigures = stacks.ToDictionary(s => s, _ => new List<GenerationFigure>());
            foreach (int batchSize in settings.GenerationBatches)
            {
                foreach (bool cache in new[] { true, false })
                {
                    progress.WriteLine($"generation, batch {batchSize}, {(cache ? "KV cache" : "no cache")} ...");
                    int[][] prompts = Enumerable.Range(0, batchSize).Select(_ => RandomPrompt(settings.PromptLength, vocabulary, random)).ToArray();
                    double slowest = stacks.Max(s => s.Generate(generation.Name, prompts, settings.NewTokens, cache, calls: 1, seed: 0)[0]);
                    int calls = Math.Clamp((int)Math.Ceiling(settings.SecondsPerTurn / slowest), 1, 500);
                    var seconds = stacks.ToDictionary(s => s, _ => new List<double>());
                    for (int round = 0; round < settings.Rounds; round++)
                    {
                        foreach (IPolicyStack stack in stacks)
                        {
                            // One untimed call first in every turn: the other stack has just had the caches.
                            seconds[stack].AddRange(stack.Generate(generation.Name, prompts, settings.NewTokens, cache, calls + 1, seed: 1000 * round).Skip(1));
                        }
                    }

                    foreach (IPolicyStack stack in stacks)
                    {
                        generationFigures[stack].Add(new GenerationFigure(
                            generation.Name, batchSize, cache, settings.PromptLength, settings.NewTokens, seconds[stack].Count, Median(seconds[stack])));
                    }
                }
            }

            var generationPeaks = stacks.ToDictionary(s => s, s => s.Memory(reset: true).PeakBytes);

            // 4. Parity: the same weights and batch give the same losses, step after step.
            ParityResult? parity = null;
            if (peer is not null)
            {
                progress.WriteLine("loss parity ...");
                // At the learning rates of the recipe's warm-up: at its full 3e-3, random data drives the first
                // steps of this model into a spike where Adam's update amplifies last-bit differences of tiny gradients.
                TrainingBatch batch = RandomBatch(settings, vocabulary, random) with { LearningRate = settings.Recipe.LearningRate / 10 };
                double[] mine = csharp.Train(parityModel.Name, batch, settings.ParitySteps, freshOptimizer: true).Losses;
                double[] theirs = peer.Train(parityModel.Name, batch, settings.ParitySteps, freshOptimizer: true).Losses;
                parity = new ParityResult("small", batch.LearningRate, mine, theirs, ParityTolerance);
            }

            // 5. Training: supervised fine-tuning steps, B × T tokens each.
            var trainingFigures = stacks.ToDictionary(s => s, _ => new List<TrainingFigure>());
            var trainingPeaks = stacks.ToDictionary(s => s, _ => 0L);
            foreach (ModelSpec model in training)
            {
                progress.WriteLine($"training {model.Name}, batch {settings.TrainingBatch} x {settings.TrainingLength} ...");
                foreach (IPolicyStack stack in stacks)
                {
                    stack.Memory(reset: true);
                }

                TrainingBatch batch = RandomBatch(settings, vocabulary, random);
                double slowest = stacks.Max(s => s.Train(model.Name, batch, steps: 2, freshOptimizer: true).Seconds[^1]);
                int steps = Math.Clamp((int)Math.Ceiling(settings.SecondsPerTurn / slowest), 1, 200);
                var seconds = stacks.ToDictionary(s => s, _ => new List<double>());
                for (int round = 0; round < settings.Rounds; round++)
                {
                    foreach (IPolicyStack stack in stacks)
                    {
                        seconds[stack].AddRange(stack.Train(model.Name, batch, steps + 1, freshOptimizer: false).Seconds.Skip(1)); // untimed first step: as above
                    }
                }

                long b = settings.TrainingBatch, t = settings.TrainingLength;
                double flopsPerStep = 3 * model.Config.ForwardFlops(b * t, b * t * (t + 1) / 2.0);
                foreach (IPolicyStack stack in stacks)
                {
                    trainingFigures[stack].Add(new TrainingFigure(
                        model.Name, model.Config.ParameterCount, (int)b, (int)t, seconds[stack].Count, Median(seconds[stack]), flopsPerStep, machinePeak));
                    trainingPeaks[stack] = Math.Max(trainingPeaks[stack], stack.Memory(reset: true).PeakBytes);
                }
            }

            // 6. Soak: many small generate calls leave nothing behind.
            progress.WriteLine($"soak: {settings.SoakCalls:N0} generate calls ...");
            var soakModel = new Transformer(TransformerConfig.Tiny(vocabulary), seed: 4);
            models.Add(soakModel);
            SoakResult soak = GenerationSoak.Run(soakModel, RandomPrompt(settings.PromptLength, vocabulary, random), settings.SoakCalls);

            StackFigures Figures(IPolicyStack s) => new(
                s.Name, s.Description, matmulPeaks[s], generationFigures[s], trainingFigures[s], generationPeaks[s], trainingPeaks[s]);
            return new PolicyBenchReport(
                MachineDescription(), loadAtStart, LoadAverage(), command, settings, machinePeak, Figures(csharp), peer is null ? null : Figures(peer), peerSkippedBecause, parity, soak, notes);
        }
        finally
        {
            foreach (Transformer model in models)
            {
                model.Dispose();
            }

            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary><see cref="CharTokenizer.Begin"/> and then characters, <paramref name="length"/> ids in all.</summary>
    private static int[] RandomPrompt(int length, int vocabulary, DeterministicRandom random) =>
        [CharTokenizer.Begin, .. Enumerable.Range(1, length - 1).Select(_ => random.Next(4, vocabulary))];

    /// <summary>Random sequences; the first positions' targets are ignored, as a prompt's are in fine-tuning.</summary>
    private static TrainingBatch RandomBatch(PolicyBenchSettings settings, int vocabulary, DeterministicRandom random)
    {
        int t = settings.TrainingLength;
        var ids = new long[settings.TrainingBatch][];
        var targets = new long[settings.TrainingBatch][];
        for (int i = 0; i < ids.Length; i++)
        {
            long[] sequence = [CharTokenizer.Begin, .. Enumerable.Range(0, t).Select(_ => (long)random.Next(4, vocabulary))];
            ids[i] = sequence[..t];
            targets[i] = sequence[1..];
            for (int j = 0; j < Math.Min(7, t); j++)
            {
                targets[i][j] = TrainingBatch.Ignore;
            }
        }

        return new TrainingBatch(ids, targets, settings.Recipe.LearningRate, settings.Recipe.WeightDecay, settings.Recipe.GradientClip);
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The 1, 5 and 15 minute load averages (Linux: /proc/loadavg): on a shared machine, how busy the neighbours were.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>The processor's model name and core count (Linux: /proc/cpuinfo).</summary>
    internal static string MachineDescription()
    {
        string cpu = "unknown processor";
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                cpu = line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return $"{cpu}, {Environment.ProcessorCount} logical cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }
}
