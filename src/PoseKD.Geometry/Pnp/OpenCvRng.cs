namespace PoseKD.Geometry.Pnp;

/// <summary>
/// OpenCV's <c>cv::RNG</c> (multiply-with-carry, coefficient 4164903690): state ←
/// (uint32)state·4164903690 + (state ≫ 32). Reproducing it makes RANSAC draw the same samples as
/// <c>solvePnPRansac</c>, whose registrator seeds it with 2⁶⁴ − 1.
/// </summary>
internal struct OpenCvRng(ulong seed)
{
    private ulong _state = seed == 0 ? 0xffffffffUL : seed;

    /// <summary>Next 32-bit value.</summary>
    public uint Next()
    {
        _state = (ulong)(uint)_state * 4164903690UL + (uint)(_state >> 32);
        return (uint)_state;
    }

    /// <summary>Uniform integer in [a, b) as <c>RNG::uniform(int, int)</c>.</summary>
    public int Uniform(int a, int b) => a == b ? a : (int)(Next() % (uint)(b - a)) + a;
}
