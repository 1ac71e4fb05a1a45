using System.Diagnostics;
using System.Text;

namespace Reasoning.Tests.Build;

/// <summary>What a <c>dotnet</c> command printed (stdout and stderr, interleaved by line) and how it ended.</summary>
internal sealed record DotnetResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"`dotnet {Command}` exited {ExitCode} after {Elapsed.TotalSeconds:F1} s:\n{Output}";
}

/// <summary>Runs the SDK's <c>dotnet</c> as a child process, bounded in time: killed (with its children) when it overruns.</summary>
internal static class DotnetCommand
{
    public static async Task<DotnetResult> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No MSBuild node or build server may outlive the command: one would hold the output pipes open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // MSBuild reads environment variables as properties: a TorchBackend exported in the shell must not leak in.
        start.Environment.Remove("TorchBackend");

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"`dotnet {string.Join(' ', arguments)}` did not end within {timeout.TotalSeconds:F0} s and was killed:\n{Text(output)}");
        }

        process.WaitForExit(); // drains the redirected output
        return new DotnetResult(string.Join(' ', arguments), process.ExitCode, Text(output), clock.Elapsed);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
