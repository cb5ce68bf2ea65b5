using PoseKD.Inference;

namespace PoseKD.Inference.Tests;

public class InferenceAssemblyTests
{
    [Fact]
    public void Name_IsTheAssemblyName() =>
        Assert.Equal(InferenceAssembly.Name, typeof(InferenceAssembly).Assembly.GetName().Name);
}
