using Reasoning.Experiments.Cli;
using Reasoning.Policy.Devices;

// Before anything loads LibTorch: on AMD processors MKL's dispatch is set here or never (MklDispatch).
var (mkl, why) = MklDispatch.Prepare();
if (mkl == MklDispatchState.InvalidSetting)
{
    Console.Error.WriteLine($"error: {why}");
    return ExitCodes.BadInput;
}

if (mkl == MklDispatchState.Failed)
{
    Console.Error.WriteLine($"warning: {why}");
}

return await CommandLine.InvokeAsync(args);
