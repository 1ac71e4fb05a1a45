using System.Globalization;
using Reasoning.Core.Problems;

namespace Reasoning.Core.Tasks.ShortestPath;

/// <summary>
/// The shortest path between two nodes of a small weighted graph, walked one edge per step with the
/// running distance: <c>A-B:3 A-C:7 B-C:2 C-D:1 A&gt;D</c> → <c>A&gt;B:0+3=3</c>, <c>B&gt;C:3+2=5</c>,
/// <c>C&gt;D:5+1=6</c>, <c>answer: 6</c>.
/// <para>
/// Unlike the other tasks, judging a step takes more than recomputing it: a step can be locally
/// right (the edge exists, the sum is right) and still a dead end, because it leaves every shortest
/// path. The checker knows the distances to the target, so it tells the two apart — exactly the
/// distinction a process reward model must learn and an outcome reward cannot see.
/// </para>
/// Difficulty is the number of edges on the (unique) shortest path; the graph has three more nodes
/// than that path, and distractor edges that never make a shortcut.
/// </summary>
public sealed class ShortestPathTask : IReasoningTask
{
    public const int MaxWeight = 9;
    private const int ExtraNodes = 3;

    public string Name => "shortest-path";

    public string Description => "walk a shortest path in a small weighted graph, one edge per step with the running distance";

    public int MinDifficulty => 1;

    public int MaxDifficulty => 7;

    /// <summary>Node letters up to the largest graph (<see cref="MaxDifficulty"/> + 1 + 3 nodes), digits and punctuation.</summary>
    public string Alphabet { get; } =
        new string(Enumerable.Range(0, 7 + 1 + ExtraNodes).Select(Graph.Name).ToArray()) + "0123456789-:>+= ";

    public Problem Generate(int difficulty, DeterministicRandom random)
    {
        this.ValidateDifficulty(difficulty);
        int nodes = difficulty + 1 + ExtraNodes;
        var order = Enumerable.Range(0, nodes).ToArray();
        random.Shuffle(order);
        int[] path = order[..(difficulty + 1)];

        var graph = new Graph(nodes);
        int length = 0;
        for (int i = 0; i < difficulty; i++)
        {
            int w = random.Next(1, MaxWeight + 1);
            graph.SetEdge(path[i], path[i + 1], w);
            length += w;
        }

        // Distractors: random edges, each kept only if the path above stays the one shortest path.
        // A shortest walk uses a new edge a-b at most once, so the edge keeps the path unique exactly
        // when every route through it is longer: dS(a) + w + dT(b) > length, and the same from b.
        int source = path[0], target = path[^1];
        int[] fromSource = graph.ShortestFrom(source).Distance;
        int[] toTarget = graph.ShortestFrom(target).Distance;
        int wanted = nodes + random.Next(nodes);
        for (int attempt = 0, added = 0; attempt < 4 * wanted && added < wanted; attempt++)
        {
            int a = random.Next(nodes), b = random.Next(nodes);
            int w = random.Next(1, MaxWeight + 1);
            if (a == b || graph.Weight(a, b) > 0 || IsShortcut(a, b, w) || IsShortcut(b, a, w))
            {
                continue;
            }

            graph.SetEdge(a, b, w);
            fromSource = graph.ShortestFrom(source).Distance;
            toTarget = graph.ShortestFrom(target).Distance;
            added++;
        }

        bool IsShortcut(int a, int b, int w) =>
            fromSource[a] != Graph.Unreachable && toTarget[b] != Graph.Unreachable && (long)fromSource[a] + w + toTarget[b] <= length;

        var steps = new List<string>(difficulty);
        int travelled = 0;
        for (int i = 0; i < difficulty; i++)
        {
            int w = graph.Weight(path[i], path[i + 1]);
            steps.Add(FormatStep(path[i], path[i + 1], travelled, w));
            travelled += w;
        }

        return Problem.Create(Name, difficulty, graph.ToPrompt(source, target), length.ToString(CultureInfo.InvariantCulture), steps);
    }

    internal static string FormatStep(int from, int to, int travelled, int weight) =>
        $"{Graph.Name(from)}>{Graph.Name(to)}:{travelled}+{weight}={travelled + weight}";

    public bool VerifyAnswer(Problem problem, string? answer)
    {
        if (!BinaryStep.TryParseInteger(answer, out long given) || !Graph.TryParsePrompt(problem.Prompt, out Graph graph, out int source, out int target))
        {
            return false;
        }

        int shortest = graph.ShortestFrom(source).Distance[target];
        return shortest != Graph.Unreachable && given == shortest;
    }

    public IReadOnlyList<StepVerdict> CheckSteps(Problem problem, IReadOnlyList<string> steps)
    {
        var verdicts = new StepVerdict[steps.Count];
        if (!Graph.TryParsePrompt(problem.Prompt, out Graph graph, out int source, out int target))
        {
            Array.Fill(verdicts, StepVerdict.Invalid("the question is not of the form 'A-B:3 B-C:2 A>C'"));
            return verdicts;
        }

        int shortest = graph.ShortestFrom(source).Distance[target];
        int[] toTarget = graph.ShortestFrom(target).Distance;
        int at = source;
        long travelled = 0;
        for (int i = 0; i < steps.Count; i++)
        {
            string? invalid = Walk(steps[i], graph, ref at, ref travelled);
            if (invalid is not null)
            {
                verdicts[i] = StepVerdict.Invalid(invalid);
                StepVerdicts.FillAfterInvalid(verdicts, i + 1);
                break;
            }

            // With positive weights a walk can never recover from a detour: it is on a shortest path
            // exactly when the distance so far plus the rest of the way equals the shortest distance.
            verdicts[i] = toTarget[at] != Graph.Unreachable && travelled + toTarget[at] == shortest
                ? StepVerdict.Good(isFinal: at == target)
                : StepVerdict.DeadEnd($"{Graph.Name(at)} at distance {travelled} is off every shortest path ({shortest})");
        }

        return verdicts;
    }

    /// <summary>Moves along the step's edge; returns why the step is invalid, or null.</summary>
    private static string? Walk(string step, Graph graph, ref int at, ref long travelled)
    {
        // A>B:0+3=3
        if (step.Length < 5 || step[1] != '>' || step[3] != ':' || !Graph.TryNode(step[0], out int from) || !Graph.TryNode(step[2], out int to)
            || !BinaryStep.TryParse(step[4..], "+", out BinaryStep sum))
        {
            return "not a move of the form A>B:0+3=3";
        }

        if (from != at)
        {
            return $"the walk is at {Graph.Name(at)}, not {step[0]}";
        }

        if (to >= graph.NodeCount || graph.Weight(from, to) == 0)
        {
            return $"there is no edge {step[0]}-{step[2]}";
        }

        if (sum.Right != graph.Weight(from, to))
        {
            return $"the edge {step[0]}-{step[2]} weighs {graph.Weight(from, to)}, not {sum.Right}";
        }

        if (sum.Left != travelled)
        {
            return $"the distance so far is {travelled}, not {sum.Left}";
        }

        if (sum.Result != sum.Left + sum.Right)
        {
            return $"{sum.Left}+{sum.Right} is {sum.Left + sum.Right}, not {sum.Result}";
        }

        at = to;
        travelled = sum.Result;
        return null;
    }
}
