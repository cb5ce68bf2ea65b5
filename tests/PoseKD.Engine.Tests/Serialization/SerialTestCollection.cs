namespace PoseKD.Engine.Tests.Serialization;

/// <summary>
/// Tests that need bit-exact repeatability of whole training steps: they run alone, after the parallel
/// tests, because other tests change process-wide settings (e.g. <c>NativeSettings.Threads</c>) that alter
/// the summation order of the GEMM/convolution kernels.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTestCollection
{
    public const string Name = "Serial (bit-exact)";
}
