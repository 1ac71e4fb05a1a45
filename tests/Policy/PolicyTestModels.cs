using Reasoning.Core.Tasks;
using Reasoning.Policy.Model;
using Reasoning.Policy.Tokenization;

namespace Reasoning.Tests.Policy;

/// <summary>Small models and a tokenizer shared by the policy tests.</summary>
internal static class PolicyTestModels
{
    public static CharTokenizer Tokenizer { get; } = CharTokenizer.ForAlphabets(TaskRegistry.CreateDefault().All.Select(t => t.Alphabet));

    /// <summary>A 2-layer model with grouped-query attention and untied output, small enough for fast tests.</summary>
    public static TransformerConfig Micro(bool groupedQuery = true, bool tied = false) =>
        new(Tokenizer.VocabularySize, Dimension: 32, Layers: 2, Heads: 4, KvHeads: groupedQuery ? 2 : 4, HiddenDimension: 64, MaxSequenceLength: 96, TiedEmbeddings: tied);
}
