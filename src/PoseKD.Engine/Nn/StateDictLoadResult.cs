namespace PoseKD.Engine.Nn;

/// <summary>Outcome of <see cref="Module.LoadStateDict"/>: keys the module has but the dict lacks, and keys the dict has but the module lacks.</summary>
public sealed record StateDictLoadResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys)
{
    /// <summary>True when every key matched.</summary>
    public bool IsExact => MissingKeys.Count == 0 && UnexpectedKeys.Count == 0;
}
