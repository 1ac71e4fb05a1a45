using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Reasoning.Experiments.Specs;

/// <summary>
/// A parser that passes events through but drops the second and later occurrences of a key in a mapping
/// (with their values), recording each as an error. YamlDotNet's representation model throws at the first
/// duplicate key, which would end the pass; with this in front, the rest of the file is still checked and the
/// first occurrence wins. It also remembers where the last event ended, to place errors from parser failures
/// that carry no position.
/// </summary>
internal sealed class DuplicateKeyFilter(IParser inner, SpecErrors errors) : IParser
{
    private sealed class Frame(string path, bool isMapping)
    {
        public string Path { get; } = path;
        public bool IsMapping { get; } = isMapping;
        public Dictionary<string, Mark> Keys { get; } = new(StringComparer.Ordinal);
        public bool ExpectingKey { get; set; } = true;
        public string? CurrentKey { get; set; }
        public int Index { get; set; }
    }

    private readonly Stack<Frame> _frames = new();

    public ParsingEvent? Current => inner.Current;

    /// <summary>Where the last event passed on ended (where a parser failure without a position happened).</summary>
    public Mark LastMark { get; private set; } = new(0, 1, 1);

    public bool MoveNext()
    {
        while (inner.MoveNext())
        {
            ParsingEvent e = inner.Current!;
            if (IsDuplicateKey(e, out string key, out Mark first))
            {
                errors.Add(e.Start, KeyPath.Child(_frames.Peek().Path, key), $"duplicate key '{key}' (first at line {first.Line}); the first one is used");
                SkipNode(); // the duplicate's value
                continue;
            }

            Track(e);
            LastMark = e.End;
            return true;
        }

        return false;
    }

    private bool IsDuplicateKey(ParsingEvent e, out string key, out Mark first)
    {
        key = "";
        first = default;
        if (e is not Scalar scalar || _frames.Count == 0 || !_frames.Peek().IsMapping || !_frames.Peek().ExpectingKey)
        {
            return false;
        }

        key = scalar.Value;
        return _frames.Peek().Keys.TryGetValue(key, out first);
    }

    private void Track(ParsingEvent e)
    {
        switch (e)
        {
            case DocumentStart:
                _frames.Clear();
                break;
            case Scalar or AnchorAlias:
                string? key = e is Scalar s ? s.Value : null;
                if (_frames.Count > 0 && _frames.Peek() is { IsMapping: true, ExpectingKey: true } mapping)
                {
                    if (key is not null)
                    {
                        mapping.Keys[key] = e.Start;
                    }

                    mapping.CurrentKey = key;
                    mapping.ExpectingKey = false;
                }
                else
                {
                    NodeDone();
                }

                break;
            case MappingStart or SequenceStart:
                string path = ChildPath();
                if (_frames.Count > 0 && _frames.Peek() is { IsMapping: true, ExpectingKey: true } owner)
                {
                    owner.CurrentKey = null; // a complex key: the representation model keeps it, the spec reader rejects it
                    owner.ExpectingKey = false;
                }

                _frames.Push(new Frame(path, e is MappingStart));
                break;
            case MappingEnd or SequenceEnd:
                _frames.Pop();
                NodeDone();
                break;
        }
    }

    private string ChildPath()
    {
        if (_frames.Count == 0)
        {
            return "";
        }

        Frame parent = _frames.Peek();
        return parent.IsMapping ? KeyPath.Child(parent.Path, parent.CurrentKey ?? "?") : KeyPath.Item(parent.Path, parent.Index);
    }

    /// <summary>A value node ended: the parent mapping expects a key next, the parent sequence its next item.</summary>
    private void NodeDone()
    {
        if (_frames.Count == 0)
        {
            return;
        }

        Frame parent = _frames.Peek();
        if (parent.IsMapping)
        {
            parent.ExpectingKey = true;
        }
        else
        {
            parent.Index++;
        }
    }

    private void SkipNode()
    {
        int depth = 0;
        while (inner.MoveNext())
        {
            switch (inner.Current)
            {
                case MappingStart or SequenceStart:
                    depth++;
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }

            if (depth == 0)
            {
                return;
            }
        }
    }
}
