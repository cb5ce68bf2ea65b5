using PoseKD.Training.Visualization;

namespace PoseKD.Training.Tests.Visualization;

public sealed class ContactSheetTests
{
    [Fact]
    public void Caption_OrdinaryError_ThreeDecimals()
        => Assert.Equal("median: error 0.165 d", ContactSheet.Caption("median", false, 0.16549));

    [Fact]
    public void Caption_DegeneratePose_ThreeSignificantDigitsAndNamed()
        => Assert.Equal("worst: error 7.72E+13 d (degenerate pose)", ContactSheet.Caption("worst", false, 77239603394630.031));

    [Fact]
    public void Caption_Missed()
        => Assert.Equal("worst: missed", ContactSheet.Caption("worst", true, 1));
}
