namespace ReviewHub.Storage;

/// <summary>What one feature declares it owns: its tables and the queues its triggers consume.</summary>
internal sealed record FeatureStorage(string Feature, IReadOnlyList<string> Tables, IReadOnlyList<string> Queues);
