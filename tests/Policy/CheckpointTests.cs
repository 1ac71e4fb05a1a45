using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Reasoning.Policy.Checkpoints;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Reasoning.Tests.Policy;

public sealed class CheckpointTests
{
    private static CharTokenizer Tokenizer => PolicyTestModels.Tokenizer;

    [Fact]
    public void ARoundTripGivesIdenticalParametersAndLogits()
    {
        using var folder = new CheckpointTestFolder();
        string path = folder.File("policy.ckpt");
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 7);
        string saved = Checkpoint.Save(path, model, Tokenizer, new Dictionary<string, string> { ["step"] = "12" });

        using LoadedCheckpoint loaded = Checkpoint.Load(path);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(Tokenizer.Characters, loaded.Tokenizer.Characters);
        Assert.Equal("12", loaded.Metadata["step"]);
        Assert.Equal(saved, loaded.ContentHash);
        Assert.Equal(ScalarType.Float32, loaded.Model.Dtype);
        AssertSameState(model, loaded.Model);
        Assert.Equal(Logits(model), Logits(loaded.Model));
    }

    [Fact]
    public void ABfloat16ModelRoundTripsInBfloat16()
    {
        using var folder = new CheckpointTestFolder();
        string path = folder.File("policy.ckpt");
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 8);
        model.to(ScalarType.BFloat16);
        string saved = Checkpoint.Save(path, model, Tokenizer);

        using LoadedCheckpoint loaded = Checkpoint.Load(path);
        Assert.Equal(ScalarType.BFloat16, loaded.Model.Dtype);
        Assert.Equal(saved, loaded.ContentHash);
        AssertSameState(model, loaded.Model);
        Assert.Equal(Logits(model), Logits(loaded.Model));
    }

    [Fact]
    public void TheContentHashIsStableAcrossSavesAndIgnoresMetadata()
    {
        using var folder = new CheckpointTestFolder();
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 1);
        string first = Checkpoint.Save(folder.File("a.ckpt"), model, Tokenizer, new Dictionary<string, string> { ["saved"] = "monday" });
        string second = Checkpoint.Save(folder.File("b.ckpt"), model, Tokenizer, new Dictionary<string, string> { ["saved"] = "tuesday" });

        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, second);
        Assert.Equal(first, Checkpoint.ContentHash(model, Tokenizer));
        Assert.Equal(first, Checkpoint.ReadInfo(folder.File("b.ckpt")).ContentHash);
        Assert.Equal("tuesday", Checkpoint.ReadInfo(folder.File("b.ckpt")).Metadata["saved"]);
        Assert.NotEqual(File.ReadAllBytes(folder.File("a.ckpt")), File.ReadAllBytes(folder.File("b.ckpt")));
    }

    [Fact]
    public void TheContentHashChangesWhenOneWeightChanges()
    {
        using var folder = new CheckpointTestFolder();
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 1);
        string before = Checkpoint.Save(folder.File("policy.ckpt"), model, Tokenizer);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            model.state_dict()["norm.weight"][5].add_(0.25f);
        }

        string after = Checkpoint.ContentHash(model, Tokenizer);
        Assert.NotEqual(before, after);
        Assert.Equal(after, Checkpoint.Save(folder.File("policy.ckpt"), model, Tokenizer));
        model.to(ScalarType.BFloat16);
        Assert.NotEqual(after, Checkpoint.ContentHash(model, Tokenizer));
    }

    /// <summary>Cut points: bytes kept from the start when not negative, bytes dropped from the end when negative.</summary>
    [Theory]
    [InlineData(0)]     // empty file
    [InlineData(5)]     // inside the magic
    [InlineData(12)]    // inside the preamble
    [InlineData(100)]   // inside the JSON header
    [InlineData(-3000)] // inside the payload
    [InlineData(-32)]   // the trailer is missing
    [InlineData(-1)]    // inside the trailer
    public void ACutFileIsTruncated(int cut)
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(cut >= 0 ? cut : bytes.Length + cut)]);

        AssertProblem(CheckpointErrorKind.Truncated, path, () => Checkpoint.Load(path).Dispose());
    }

    /// <summary>Positions: from the start when positive, from the end when negative.</summary>
    [Theory]
    [InlineData(1)]     // the magic
    [InlineData(8)]     // the format version: the trailer shows it is damage, not a newer file
    [InlineData(200)]   // the JSON header
    [InlineData(-3000)] // the payload
    [InlineData(-40)]   // the payload's last tensor
    [InlineData(-5)]    // the trailer
    public void AFlippedByteIsCorrupted(int position)
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[position >= 0 ? position : bytes.Length + position] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        AssertProblem(CheckpointErrorKind.Corrupted, path, () => Checkpoint.Load(path).Dispose());
    }

    [Fact]
    public void AFileWithoutTheMagicIsCorrupted()
    {
        using var folder = new CheckpointTestFolder();
        string path = folder.File("notes.ckpt");
        File.WriteAllText(path, "these are notes, not weights; long enough to hold a header");

        var error = AssertProblem(CheckpointErrorKind.Corrupted, path, () => Checkpoint.Load(path).Dispose());
        Assert.Contains("magic", error.Message);
        AssertProblem(CheckpointErrorKind.Corrupted, path, () => Checkpoint.ReadInfo(path));
    }

    [Fact]
    public void AFailedLoadLeavesTheModelUntouched()
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder, seed: 1);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^100] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 2);
        string before = Checkpoint.ContentHash(model, Tokenizer);

        AssertProblem(CheckpointErrorKind.Corrupted, path, () => Checkpoint.LoadInto(path, model, Tokenizer));
        Assert.Equal(before, Checkpoint.ContentHash(model, Tokenizer));
    }

    [Theory]
    [InlineData("KvHeads")]
    [InlineData("TiedEmbeddings")]
    [InlineData("MaxSequenceLength")]
    [InlineData("NormEpsilon")]
    public void AnotherConfigIsAMismatchThatNamesTheField(string field)
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder);
        TransformerConfig saved = PolicyTestModels.Micro();
        TransformerConfig other = field switch
        {
            "KvHeads" => saved with { KvHeads = saved.Heads },
            "TiedEmbeddings" => saved with { TiedEmbeddings = !saved.TiedEmbeddings },
            "MaxSequenceLength" => saved with { MaxSequenceLength = saved.MaxSequenceLength / 2 },
            _ => saved with { NormEpsilon = saved.NormEpsilon / 10 },
        };
        using var model = new Transformer(other, seed: 1);

        foreach (Action load in new Action[] { () => Checkpoint.LoadInto(path, model, Tokenizer), () => Checkpoint.Load(path, other).Dispose() })
        {
            var error = AssertProblem(CheckpointErrorKind.Mismatched, path, load);
            Assert.Contains(field, error.Message);
            Assert.DoesNotContain("Dimension", error.Message);
        }
    }

    [Fact]
    public void AnotherTokenizerIsAMismatchThatNamesTheCharacters()
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder);
        char missing = Enumerable.Range('!', 94).Select(c => (char)c).First(c => !Tokenizer.Characters.Contains(c));
        var other = new CharTokenizer(Tokenizer.Characters[1..] + missing); // same size, one character swapped
        Assert.Equal(Tokenizer.VocabularySize, other.VocabularySize);
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 1);

        var error = AssertProblem(CheckpointErrorKind.Mismatched, path, () => Checkpoint.LoadInto(path, model, other));
        Assert.Contains("Characters", error.Message);
    }

    [Fact]
    public void ARenamedOrReshapedTensorIsAMismatchThatNamesIt()
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder);
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 1);
        RewriteHeader(path, h => h);
        Checkpoint.LoadInto(path, model, Tokenizer); // the rewrite itself keeps a file valid

        RewriteHeader(path, h => WithTensors(h, t => t.Name == "norm.weight" ? t with { Name = "final_norm.weight" } : t));
        Assert.Contains("norm.weight", AssertProblem(CheckpointErrorKind.Mismatched, path, () => Checkpoint.LoadInto(path, model, Tokenizer)).Message);

        SaveMicro(folder);
        const string qkv = "blocks.0.attention.qkv.weight";
        RewriteHeader(path, h => WithTensors(h, t => t.Name == qkv ? t with { Shape = [.. t.Shape.Reverse()] } : t));
        var error = AssertProblem(CheckpointErrorKind.Mismatched, path, () => Checkpoint.Load(path).Dispose());
        Assert.Contains(qkv, error.Message);
        Assert.Contains("shape", error.Message);
    }

    [Fact]
    public void ANewerFormatVersionIsAMismatch()
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder);
        RewriteHeader(path, h => h, version: CheckpointFormat.Version + 1);

        var error = AssertProblem(CheckpointErrorKind.Mismatched, path, () => Checkpoint.Load(path).Dispose());
        Assert.Contains($"format version {CheckpointFormat.Version + 1}", error.Message);
    }

    [Fact]
    public void SavingOverAFileReplacesItAndLeavesNoTemporaryFiles()
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder, seed: 1);
        using var newer = new Transformer(PolicyTestModels.Micro(), seed: 2);
        string hash = Checkpoint.Save(path, newer, Tokenizer);

        Assert.Equal([path], Directory.GetFiles(folder.Path));
        using LoadedCheckpoint loaded = Checkpoint.Load(path);
        Assert.Equal(hash, loaded.ContentHash);
        AssertSameState(newer, loaded.Model);
    }

    [Fact]
    public void AFailedSaveKeepsTheOldFileAndRemovesItsTemporaryFile()
    {
        using var folder = new CheckpointTestFolder();
        string path = SaveMicro(folder, seed: 1);
        string hash = Checkpoint.ReadInfo(path).ContentHash;
        using var float64 = new Transformer(PolicyTestModels.Micro(), seed: 2);
        float64.to(ScalarType.Float64);
        Assert.Contains("Float64", Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, float64, Tokenizer)).Message);

        // The write succeeds and the final move fails: a folder holds the name.
        string taken = folder.File("taken");
        Directory.CreateDirectory(taken);
        using var model = new Transformer(PolicyTestModels.Micro(), seed: 3);
        Assert.ThrowsAny<IOException>(() => Checkpoint.Save(taken, model, Tokenizer));

        Assert.Equal([path], Directory.GetFiles(folder.Path));
        using LoadedCheckpoint loaded = Checkpoint.Load(path);
        Assert.Equal(hash, loaded.ContentHash);
    }

    internal static string SaveMicro(CheckpointTestFolder folder, long seed = 1)
    {
        string path = folder.File("policy.ckpt");
        using var model = new Transformer(PolicyTestModels.Micro(), seed);
        Checkpoint.Save(path, model, Tokenizer);
        return path;
    }

    private static CheckpointException AssertProblem(CheckpointErrorKind kind, string path, Action load)
    {
        var error = Assert.Throws<CheckpointException>(load);
        Assert.True(kind == error.Kind, $"expected {kind}, got {error.Kind}: {error.Message}");
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.FilePath);
        return error;
    }

    private static void AssertSameState(Transformer expected, Transformer actual)
    {
        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> a = expected.state_dict(), b = actual.state_dict();
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.All(a, p =>
        {
            Assert.Equal(p.Value.dtype, b[p.Key].dtype);
            Assert.True(p.Value.eq(b[p.Key]).all().item<bool>(), p.Key);
        });
    }

    /// <summary>Logits for a fixed prompt, as float32.</summary>
    private static float[] Logits(Transformer model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        List<int> prompt = Tokenizer.EncodePrompt(Tokenizer.Characters[..12]);
        Tensor ids = tensor(prompt.Select(i => (long)i).ToArray(), new long[] { 1, prompt.Count }); // [1, T]
        Tensor logits = model.Forward(ids, arange(prompt.Count).unsqueeze(0));                      // [1, T, V]
        return logits.to(ScalarType.Float32).data<float>().ToArray();
    }

    private static CheckpointHeader WithTensors(CheckpointHeader header, Func<TensorEntry, TensorEntry> edit) =>
        header with { Content = header.Content with { Tensors = header.Content.Tensors.Select(edit).ToList() } };

    /// <summary>Edits the header of a saved file and writes it back intact: content hash, lengths and trailer recomputed.</summary>
    private static void RewriteHeader(string path, Func<CheckpointHeader, CheckpointHeader> edit, uint version = CheckpointFormat.Version)
    {
        byte[] file = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(12));
        CheckpointHeader header = edit(JsonSerializer.Deserialize<CheckpointHeader>(file.AsSpan(16, headerLength), CheckpointFormat.Json)!);
        byte[] payload = file[(16 + headerLength)..^32];
        using (IncrementalHash content = CheckpointFormat.StartContentHash(header.Content))
        {
            content.AppendData(payload);
            header = header with { ContentHash = CheckpointFormat.Hex(content) };
        }

        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, CheckpointFormat.Json);
        byte[] body = [.. CheckpointFormat.Preamble(version, json.Length), .. json, .. payload];
        File.WriteAllBytes(path, [.. body, .. SHA256.HashData(body)]);
    }

    /// <summary>Save and load leave no tensors behind (see <see cref="LeakChecks"/>).</summary>
    [Collection(LeakChecks.Name)]
    public sealed class LiveTensors
    {
        [Fact]
        public void SavingHashingAndLoadingIntoAModelLeaveNoLiveTensors()
        {
            using var folder = new CheckpointTestFolder();
            string path = folder.File("policy.ckpt");
            string broken = folder.File("broken.ckpt");
            using var model = new Transformer(PolicyTestModels.Micro(), seed: 1);
            using var target = new Transformer(PolicyTestModels.Micro(), seed: 2);
            Checkpoint.Save(path, model, Tokenizer);
            byte[] bytes = File.ReadAllBytes(path);
            bytes[^100] ^= 0x01;
            File.WriteAllBytes(broken, bytes);

            void Round()
            {
                Checkpoint.Save(path, model, Tokenizer);
                Checkpoint.ContentHash(model, Tokenizer);
                Checkpoint.LoadInto(path, target, Tokenizer);
                Assert.Throws<CheckpointException>(() => Checkpoint.LoadInto(broken, target, Tokenizer));
            }

            Round(); // warm-up
            long before = BatchedSamplerTests.LiveTensors();
            for (int i = 0; i < 10; i++)
            {
                Round();
            }

            // Read before collecting too: a tensor left to the garbage collector still counts here.
            Assert.Equal(before, torch.Tensor.TotalCount);
            Assert.Equal(before, BatchedSamplerTests.LiveTensors());
        }

        /// <summary>
        /// Building a <see cref="Transformer"/> moves the live-tensor count by itself (TorchSharp
        /// counts a tensor wrapped into a parameter twice), so Load is held to what building and
        /// disposing the same model costs, not to zero.
        /// </summary>
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void LoadingLeavesNoLiveTensorsBeyondTheModelsOwn(bool bfloat16)
        {
            using var folder = new CheckpointTestFolder();
            string path = folder.File("policy.ckpt");
            using (var model = new Transformer(PolicyTestModels.Micro(), seed: 1))
            {
                if (bfloat16)
                {
                    model.to(ScalarType.BFloat16);
                }

                Checkpoint.Save(path, model, Tokenizer);
            }

            long build = Growth(() =>
            {
                using var model = new Transformer(PolicyTestModels.Micro(), seed: 0);
                if (bfloat16)
                {
                    model.to(ScalarType.BFloat16);
                }
            });
            long load = Growth(() => Checkpoint.Load(path).Dispose());
            Assert.Equal(build, load);
        }

        private static long Growth(Action action)
        {
            action(); // warm-up
            long before = BatchedSamplerTests.LiveTensors();
            for (int i = 0; i < 5; i++)
            {
                action();
            }

            return BatchedSamplerTests.LiveTensors() - before;
        }
    }
}

/// <summary>A fresh folder under the system's temporary folder, deleted with its contents.</summary>
internal sealed class CheckpointTestFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("checkpoint-tests-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
