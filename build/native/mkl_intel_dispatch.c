/*
 * Makes the MKL inside LibTorch take its optimised code paths on AMD processors.
 *
 * MKL chooses a kernel family (AVX-512, AVX2, ...) from the processor's feature bits only when
 * it believes the processor is Intel's; on any other vendor it takes a generic path. On the
 * project's 2-core AMD EPYC that path ran fp32 matrix-vector products at 13 GFLOP/s against 61
 * with this library loaded (docs/pretrained.md, "Speed"). LibTorch links MKL statically but calls these
 * two service functions through its PLT, so a library loaded earlier with RTLD_GLOBAL
 * (src/Policy/Devices/MklDispatch.cs) answers for them; MKL still checks the feature bits
 * itself, so a processor without AVX-512 gets the AVX2 kernels, not instructions it lacks.
 *
 * Built by build/MklDispatch.targets with the system C compiler when one is there; the policy
 * host loads it on AMD processors only, and REASONING_MKL_AMD=off leaves MKL as it is.
 */
int mkl_serv_intel_cpu(void) { return 1; }
int mkl_serv_intel_cpu_true(void) { return 1; }
