using Reasoning.Experiments.Cli;

return await CommandLine.InvokeAsync(args);
