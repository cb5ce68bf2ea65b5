using PoseKD.Engine.Tensors;
using PoseKD.Inference.Runtime;
using PoseKD.Model.Network;

namespace PoseKD.Inference.Tests.Runtime;

public class BatchedRunnerTests
{
    /// <summary>A "network" whose outputs encode each image's first pixel, so order and padding are visible.</summary>
    private sealed class EchoRunner(int? fixedBatch) : INetworkRunner
    {
        public string Runtime => "echo";
        public int InputRes => 2;
        public int? FixedBatch => fixedBatch;
        public int Calls { get; private set; }

        public PoseNetOutput Run(Tensor images)
        {
            if (fixedBatch is { } b) Assert.Equal(b, images.Shape[0]);
            Calls++;
            int n = images.Shape[0];
            var cls = new float[n];
            var reg = new float[n * 2];
            for (int i = 0; i < n; i++) { cls[i] = images.Data[i * 12]; reg[2 * i] = -cls[i]; reg[2 * i + 1] = 2 * cls[i]; }
            return new PoseNetOutput([], [Tensor.FromArray(cls, n, 1, 1, 1)], [Tensor.FromArray(reg, n, 2, 1, 1)]);
        }

        public void Dispose() { }
    }

    private static Tensor Images(int n)
    {
        var data = new float[n * 12];
        for (int i = 0; i < n; i++) data[i * 12] = i + 1;
        return Tensor.FromArray(data, n, 3, 2, 2);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 5)]
    [InlineData(4, 3)]
    [InlineData(3, 3)]
    public void Run_FixedBatch_ChunksPadsAndKeepsOrder(int fixedBatch, int n)
    {
        var runner = new EchoRunner(fixedBatch);
        var output = BatchedRunner.Run(runner, Images(n));
        Assert.Equal([n, 1, 1, 1], output.ClsLogits[0].Shape);
        Assert.Equal([n, 2, 1, 1], output.PoseReg[0].Shape);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(i + 1, output.ClsLogits[0].Data[i]);
            Assert.Equal(-(i + 1), output.PoseReg[0].Data[2 * i]);
            Assert.Equal(2 * (i + 1), output.PoseReg[0].Data[2 * i + 1]);
        }
        Assert.Equal((n + fixedBatch - 1) / fixedBatch, runner.Calls);
    }

    [Fact]
    public void Run_DynamicBatch_OneCall()
    {
        var runner = new EchoRunner(null);
        var output = BatchedRunner.Run(runner, Images(7));
        Assert.Equal(1, runner.Calls);
        Assert.Equal(7, output.ClsLogits[0].Data[6]);
    }

    [Fact]
    public void Run_WrongCropSize_NamesTheExpectedShape()
    {
        var e = Assert.Throws<ArgumentException>(() => BatchedRunner.Run(new EchoRunner(1), Tensor.Zeros(1, 3, 4, 4)));
        Assert.Contains("[N, 3, 2, 2]", e.Message);
    }
}
