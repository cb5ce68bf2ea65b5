using PoseKD.Geometry.Bop;

namespace PoseKD.Geometry.Tests.Bop;

/// <summary>Rows of a results CSV that must be refused where they are read, with the line and the field.</summary>
public class BopResultsCsvBadInputTests
{
    private const string Good = "1,1,1,0.9,1 0 0 0 1 0 0 0 1,0 0 500,-1";

    private static BopFormatException ReadBad(string line, bool keep = false)
    {
        var path = Path.Combine(Path.GetTempPath(), $"posekd_res_{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, BopResultsCsv.Header + "\n" + Good + "\n" + line + "\n");
        try { return Assert.Throws<BopFormatException>(() => BopResultsCsv.Read(path, keep)); }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("1,1,1,0.9,NaN 0 0 0 1 0 0 0 1,0 0 500,-1", "line 3, R")]
    [InlineData("1,1,1,0.9,1 0 0 0 1 0 0 0 1,0 0 1e309,-1", "line 3, t")]
    [InlineData("1,1,1,0.9,1 0 0 0 1 0 0 0 1,0 0 -Infinity,-1", "line 3, t")]
    [InlineData("1,1,1,0.9,1 0 0 0 1 0 0 0 1,0 0 1e155,-1", "line 3, t")]
    [InlineData("1,1,1,nan,1 0 0 0 1 0 0 0 1,0 0 500,-1", "line 3, score")]
    [InlineData("1,1,1,0.9,1 0 0 0 1 0 0 0 1,0 0 500,inf", "line 3, time")]
    public void Read_NonFiniteOrHugeNumber_ThrowsNamingLineAndField(string line, string field)
    {
        Assert.Equal(field, ReadBad(line).Field);
        Assert.Equal(field, ReadBad(line, keep: true).Field);
    }

    [Theory]
    [InlineData("0 0 0 0 0 0 0 0 0")]
    [InlineData("0.01 0 0 0 0.01 0 0 0 0.01")]
    [InlineData("-1 0 0 0 1 0 0 0 1")]
    [InlineData("0 1 0 1 0 0 0 0 1")]
    [InlineData("1e155 0 0 0 1 0 0 0 1")]
    public void Read_NotARotation_ThrowsUnlessKept(string r)
    {
        string line = $"1,1,1,0.9,{r},0 0 500,-1";
        var e = ReadBad(line);
        Assert.Equal("line 3, R", e.Field);
        var path = Path.Combine(Path.GetTempPath(), $"posekd_res_{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, line + "\n");
        try { Assert.Single(BopResultsCsv.Read(path, keepInvalidRotations: true)); }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Read_Folder_ThrowsNamingIt()
    {
        var e = Assert.Throws<BopFormatException>(() => BopResultsCsv.Read(Path.GetTempPath()));
        Assert.Contains("folder", e.Message);
    }
}
