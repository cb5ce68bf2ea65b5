using PoseKD.Geometry.Cameras;
using PoseKD.TestSupport;

namespace PoseKD.Geometry.Tests.Cameras;

public class CameraTests
{
    [Fact]
    public void Project_KnownPoint_GivesPinholePixel()
    {
        double[] k = [500, 0, 320, 0, 400, 240, 0, 0, 1];
        var px = new double[2];
        Camera.Project([1, 0, 0, 0, 1, 0, 0, 0, 1], [10, -20, 1000], k, [0, 0, 0], px);
        Numeric.AssertClose(320 + 500 * 10 / 1000.0, px[0], 1e-12, 0);
        Numeric.AssertClose(240 + 400 * -20 / 1000.0, px[1], 1e-12, 0);
    }

    [Fact]
    public void BackProject_ProjectedPoint_RayPassesThroughPoint()
    {
        var ray = new double[3];
        Camera.BackProject(TestData.K, 400, 100, ray);
        var px = new double[2];
        Camera.ProjectCameraPoints(TestData.K, [ray[0] * 700, ray[1] * 700, 700], px);
        Numeric.AssertClose(400, px[0], 1e-9, 0);
        Numeric.AssertClose(100, px[1], 1e-9, 0);
        var kinv = Camera.InvertK(TestData.K);
        Numeric.AssertClose(ray[0], kinv[0] * 400 + kinv[1] * 100 + kinv[2], 1e-12, 0);
    }
}
