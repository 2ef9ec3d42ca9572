namespace ReviewHub.Storage;

/// <summary>
/// Every feature's declaration, as the composition root collected them (ReviewHubStorage): what the provisioner
/// creates, the poison monitor measures and the replay endpoint accepts. Storage itself names no feature's table.
/// </summary>
internal sealed class StorageCatalog(IReadOnlyList<FeatureStorage> features)
{
    public IReadOnlyList<FeatureStorage> Features { get; } = features;

    public IReadOnlyList<string> Tables { get; } = [.. features.SelectMany(f => f.Tables).Distinct()];

    public IReadOnlyList<string> Queues { get; } = [.. features.SelectMany(f => f.Queues).Distinct()];
}
