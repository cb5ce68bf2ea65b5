namespace PoseKD.Model.Network;

/// <summary>
/// What loading a weights file into a <see cref="PoseNet"/> did, key by key.
/// </summary>
/// <param name="Source">The file that was read.</param>
/// <param name="Matched">Keys of the network that were loaded from the file.</param>
/// <param name="Missing">Keys of the network the file lacks (kept at their current values; empty after a strict load).</param>
/// <param name="Unexpected">Keys of the file the network lacks (not loaded; empty after a strict load).</param>
/// <param name="KnownIgnored">Keys deliberately not loaded, each with the rule that skipped it (e.g. a
/// <c>num_batches_tracked</c> counter absent from files written by old PyTorch versions).</param>
public sealed record PoseNetLoadReport(
    string Source,
    IReadOnlyList<string> Matched,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<(string Key, string Reason)> KnownIgnored)
{
    /// <summary>True when nothing is missing and nothing unexpected.</summary>
    public bool IsComplete => Missing.Count == 0 && Unexpected.Count == 0;

    /// <summary>One line: counts of matched / missing / unexpected / known-ignored keys.</summary>
    public override string ToString() =>
        $"{Source}: {Matched.Count} matched, {Missing.Count} missing, {Unexpected.Count} unexpected, {KnownIgnored.Count} known-ignored";
}
