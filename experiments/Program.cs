using Reasoning.Experiments.Cli;

return CommandLine.Build().Parse(args).Invoke();
