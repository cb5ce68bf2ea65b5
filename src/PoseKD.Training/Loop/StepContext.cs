using PoseKD.Engine.Tensors;

namespace PoseKD.Training.Loop;

/// <summary>
/// What a training task gets besides the batch: the step being computed (1-based, the reference's
/// <c>total_steps</c> after its increment) and that step's random generator. Every random draw of a step
/// (e.g. positive sampling) comes from <see cref="Rng"/>, a pure function of (seed, step), so a resumed run
/// draws exactly what an uninterrupted one would without saving generator state.
/// </summary>
/// <param name="Step">The step, 1-based.</param>
/// <param name="Rng">The step's generator.</param>
public sealed record StepContext(long Step, Generator Rng)
{
    /// <summary>The generator of step <paramref name="step"/> for run seed <paramref name="seed"/>.</summary>
    public static Generator RngFor(int seed, long step)
        => new(unchecked(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)step * 0xD1B54A32D192ED03UL) ^ 0x5851F42D4C957F2DUL));
}
