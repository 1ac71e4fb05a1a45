using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Reasoning.Experiments.Records;
using TorchSharp;

namespace Reasoning.Experiments.Runner;

/// <summary>Versions, machine and source revision of a run, read without a network and without git installed.</summary>
internal static class RunEnvironmentProbe
{
    public static RunEnvironment Capture(string device, int threads) => new(
        Dotnet: RuntimeInformation.FrameworkDescription,
        TorchSharp: typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown",
        LibTorch: LibTorchVersion(),
        OperatingSystem: RuntimeInformation.OSDescription,
        Cpu: CpuModel(),
        Cores: Environment.ProcessorCount,
        Device: device,
        Threads: threads > 0 ? threads : torch.get_num_threads(),
        GitCommit: GitCommit(Directory.GetCurrentDirectory()) ?? GitCommit(AppContext.BaseDirectory));

    /// <summary>The native LibTorch package and version the application was built with, from its deps.json.</summary>
    private static string LibTorchVersion()
    {
        try
        {
            foreach (string deps in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json").Order(StringComparer.Ordinal))
            {
                Match match = Regex.Match(File.ReadAllText(deps), "\"(libtorch-[a-z0-9-]+)/([0-9][0-9A-Za-z.+-]*)\"");
                if (match.Success)
                {
                    return $"{match.Groups[1].Value} {match.Groups[2].Value}";
                }
            }
        }
        catch (IOException)
        {
        }

        return "unknown";
    }

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null && line.IndexOf(':') is int colon and >= 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The commit checked out in the repository containing <paramref name="start"/>, read from <c>.git</c> directly.</summary>
    internal static string? GitCommit(string start)
    {
        try
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                string git = Path.Combine(dir.FullName, ".git");
                if (File.Exists(git))
                {
                    // A worktree or submodule: ".git" is a file "gitdir: <path>".
                    string pointer = File.ReadAllText(git).Trim();
                    if (!pointer.StartsWith("gitdir:", StringComparison.Ordinal))
                    {
                        return null;
                    }

                    git = Path.GetFullPath(pointer["gitdir:".Length..].Trim(), dir.FullName);
                }

                if (!Directory.Exists(git))
                {
                    continue;
                }

                string head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
                if (!head.StartsWith("ref:", StringComparison.Ordinal))
                {
                    return head;
                }

                string reference = head["ref:".Length..].Trim();
                string commonDir = File.Exists(Path.Combine(git, "commondir"))
                    ? Path.GetFullPath(File.ReadAllText(Path.Combine(git, "commondir")).Trim(), git)
                    : git;
                foreach (string folder in new[] { git, commonDir })
                {
                    string loose = Path.Combine(folder, reference);
                    if (File.Exists(loose))
                    {
                        return File.ReadAllText(loose).Trim();
                    }

                    string packed = Path.Combine(folder, "packed-refs");
                    if (File.Exists(packed))
                    {
                        string? line = File.ReadLines(packed).FirstOrDefault(l => l.EndsWith(" " + reference, StringComparison.Ordinal));
                        if (line is not null)
                        {
                            return line[..line.IndexOf(' ')];
                        }
                    }
                }

                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
        }

        return null;
    }
}
