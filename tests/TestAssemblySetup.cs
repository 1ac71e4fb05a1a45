using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Reasoning.Policy.Devices;

namespace Reasoning.Tests;

/// <summary>Runs before any test touches LibTorch, as the product's entry point does.</summary>
internal static class TestAssemblySetup
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "MKL's dispatch must be set before the first TorchSharp call of the test run.")]
    internal static void Initialize() => MklDispatch.Prepare();
}
