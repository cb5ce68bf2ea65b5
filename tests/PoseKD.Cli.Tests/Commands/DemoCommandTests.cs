using PoseKD.Cli.Commands;

namespace PoseKD.Cli.Tests.Commands;

public class DemoCommandTests
{
    [Fact]
    public void Run_FewSteps_LossDecreases()
    {
        var output = new StringWriter();
        var r = DemoCommand.Run(60, 3, output);
        Assert.True(r.FinalLoss < r.InitialLoss * 0.9f, $"loss went from {r.InitialLoss} to {r.FinalLoss}");
        var text = output.ToString();
        Assert.Contains("not wired", text);
        Assert.Contains("step    60", text);
    }

    [Fact]
    public void Run_SameSeed_SameResult()
    {
        var a = DemoCommand.Run(5, 7, TextWriter.Null);
        var b = DemoCommand.Run(5, 7, TextWriter.Null);
        Assert.Equal(a.FinalLoss, b.FinalLoss);
    }

    [Fact]
    public void Run_ZeroSteps_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => DemoCommand.Run(0, 1, TextWriter.Null));

    [Fact]
    public void Build_StepsAndSeedOptions_Parse()
    {
        var parse = Program.BuildRoot().Parse(["demo", "--steps", "12", "--seed", "5"]);
        Assert.Empty(parse.Errors);
    }
}
