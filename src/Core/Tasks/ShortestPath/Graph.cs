using System.Globalization;
using System.Text;

namespace Reasoning.Core.Tasks.ShortestPath;

/// <summary>
/// A small undirected graph with positive integer weights, nodes named by the letters A, B, C, ...
/// The prompt form is the edge list, then the query: <c>A-B:3 A-C:7 B-C:2 C-D:1 A&gt;D</c>.
/// </summary>
internal sealed class Graph
{
    public const int Unreachable = int.MaxValue;
    private readonly int[,] _weights; // 0 = no edge

    public Graph(int nodes)
    {
        _weights = new int[nodes, nodes];
    }

    public int NodeCount => _weights.GetLength(0);

    public int Weight(int a, int b) => _weights[a, b];

    public void SetEdge(int a, int b, int weight)
    {
        _weights[a, b] = weight;
        _weights[b, a] = weight;
    }

    public static char Name(int node) => (char)('A' + node);

    /// <summary>Shortest distances from <paramref name="source"/> (Dijkstra on a dense matrix) and how many shortest paths reach each node.</summary>
    public (int[] Distance, int[] PathCount) ShortestFrom(int source)
    {
        int n = NodeCount;
        var distance = new int[n];
        var count = new int[n];
        var done = new bool[n];
        Array.Fill(distance, Unreachable);
        distance[source] = 0;
        count[source] = 1;
        for (int round = 0; round < n; round++)
        {
            int u = -1;
            for (int v = 0; v < n; v++)
            {
                if (!done[v] && distance[v] != Unreachable && (u < 0 || distance[v] < distance[u]))
                {
                    u = v;
                }
            }

            if (u < 0)
            {
                break;
            }

            done[u] = true;
            for (int v = 0; v < n; v++)
            {
                int w = _weights[u, v];
                if (w == 0 || done[v])
                {
                    continue;
                }

                int through = distance[u] + w;
                if (through < distance[v])
                {
                    distance[v] = through;
                    count[v] = count[u];
                }
                else if (through == distance[v])
                {
                    count[v] = Math.Min(count[v] + count[u], 1_000_000);
                }
            }
        }

        return (distance, count);
    }

    public string ToPrompt(int source, int target)
    {
        var text = new StringBuilder();
        for (int a = 0; a < NodeCount; a++)
        {
            for (int b = a + 1; b < NodeCount; b++)
            {
                if (_weights[a, b] > 0)
                {
                    text.Append(Name(a)).Append('-').Append(Name(b)).Append(':').Append(_weights[a, b].ToString(CultureInfo.InvariantCulture)).Append(' ');
                }
            }
        }

        return text.Append(Name(source)).Append('>').Append(Name(target)).ToString();
    }

    /// <summary>Reads a prompt back; false for anything malformed.</summary>
    public static bool TryParsePrompt(string prompt, out Graph graph, out int source, out int target)
    {
        graph = new Graph(0);
        source = target = -1;
        string[] parts = prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            return false;
        }

        var edges = new List<(int A, int B, int W)>();
        int nodes = 0;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            string p = parts[i];
            int at = 4;
            if (p.Length < 5 || p[1] != '-' || p[3] != ':' || !TryNode(p[0], out int a) || !TryNode(p[2], out int b) || a == b
                || !BinaryStep.TryNumber(p, ref at, allowSign: false, out long w) || at != p.Length || w <= 0 || w > 1000)
            {
                return false;
            }

            edges.Add((a, b, (int)w));
            nodes = Math.Max(nodes, Math.Max(a, b) + 1);
        }

        string query = parts[^1];
        if (query.Length != 3 || query[1] != '>' || !TryNode(query[0], out source) || !TryNode(query[2], out target))
        {
            return false;
        }

        graph = new Graph(Math.Max(nodes, Math.Max(source, target) + 1));
        foreach ((int a, int b, int w) in edges)
        {
            graph.SetEdge(a, b, w);
        }

        return true;
    }

    public static bool TryNode(char c, out int node)
    {
        node = c - 'A';
        return c is >= 'A' and <= 'Z';
    }
}
