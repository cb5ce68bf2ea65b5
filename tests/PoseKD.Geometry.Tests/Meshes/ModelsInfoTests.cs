using PoseKD.Geometry.Meshes;

namespace PoseKD.Geometry.Tests.Meshes;

public class ModelsInfoTests
{
    [Fact]
    public void Read_WrittenFile_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"posekd_mi_{Guid.NewGuid():N}.json");
        try
        {
            var info = new ModelInfo { Diameter = 102.099, Min = [-37.9, -38.7, -45.9], Size = [75.9, 77.5, 91.9] };
            info.SymmetriesDiscrete.Add([-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
            info.SymmetriesContinuous.Add(new ContinuousSymmetry([0, 0, 1], [0, 0, 0]));
            ModelsInfo.Write(path, new Dictionary<int, ModelInfo> { [1] = info, [5] = new ModelInfo { Diameter = 3 } });
            var back = ModelsInfo.Read(path);
            Assert.Equal(new[] { 1, 5 }, back.Keys);
            Assert.Equal(102.099, back[1].Diameter);
            Assert.Equal(info.Min, back[1].Min);
            Assert.Equal(info.SymmetriesDiscrete[0], back[1].SymmetriesDiscrete[0]);
            Assert.Equal(new double[] { 0, 0, 1 }, back[1].SymmetriesContinuous[0].Axis);
            Assert.True(back[1].IsSymmetric);
            Assert.False(back[5].IsSymmetric);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("{\"1\": {\"diameter\": 10, ", "(document)")]
    [InlineData("{\"1\": {\"min_x\": 1}}", "1.diameter")]
    [InlineData("{\"x\": {\"diameter\": 1}}", "x")]
    [InlineData("{\"2\": {\"diameter\": 1, \"symmetries_discrete\": [[1, 0, 0]]}}", "2.symmetries_discrete[0]")]
    [InlineData("{\"2\": {\"diameter\": 1, \"symmetries_continuous\": [{\"axis\": [0, 0, \"z\"], \"offset\": [0, 0, 0]}]}}", "2.symmetries_continuous[0].axis[2]")]
    public void Read_Malformed_ThrowsNamingFileAndField(string json, string field)
    {
        var path = Path.Combine(Path.GetTempPath(), $"posekd_mi_{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, json);
            var e = Assert.Throws<BopFormatException>(() => ModelsInfo.Read(path));
            Assert.Equal(field, e.Field);
            Assert.Contains(path, e.Message);
        }
        finally { File.Delete(path); }
    }
}
