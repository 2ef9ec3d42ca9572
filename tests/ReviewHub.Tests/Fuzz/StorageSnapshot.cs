using Azure.Data.Tables;
using Azure.Storage.Queues;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Fuzz;

/// <summary>
/// Everything the app can write, as lines: every row of every table (keys and ETag, so any change shows), every queue
/// and poison queue (message count and the ids of the first messages) and the local secret files. Two snapshots are
/// equal exactly when nothing was written in between.
/// </summary>
internal sealed class StorageSnapshot
{
    private StorageSnapshot(SortedSet<string> lines) => Lines = lines;

    public SortedSet<string> Lines { get; }

    public static async Task<StorageSnapshot> TakeAsync(
        TableServiceClient tables,
        QueueServiceClient queues,
        string? secretsDirectory
    )
    {
        var tableLines = ReviewHubStorage.Catalog.Tables.Select(async name =>
        {
            var lines = new List<string>();
            await foreach (
                var row in tables.GetTableClient(name).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"])
            )
            {
                lines.Add($"table {name} {row.PartitionKey} {row.RowKey} {row.ETag}");
            }
            return lines;
        });
        var queueLines = ReviewHubStorage.Catalog.Queues
            .SelectMany(q => new[] { q, PoisonQueues.NameFor(q) })
            .Select(async name =>
            {
                var queue = queues.GetQueueClient(name);
                var count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
                var peeked = (await queue.PeekMessagesAsync(32)).Value;
                return peeked
                    .Select(m => $"queue {name} message {m.MessageId}")
                    .Append($"queue {name} count {count}")
                    .ToList();
            });
        var all = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var lines in await Task.WhenAll(tableLines.Concat(queueLines)))
        {
            all.UnionWith(lines);
        }
        if (secretsDirectory is not null && Directory.Exists(secretsDirectory))
        {
            foreach (var file in new DirectoryInfo(secretsDirectory).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                all.Add($"secret {file.Name} {file.Length} {file.LastWriteTimeUtc.Ticks}");
            }
        }
        return new StorageSnapshot(all);
    }

    /// <summary>
    /// What differs (at most <paramref name="max"/> lines, "-" gone and "+" new); empty when nothing changed.
    /// </summary>
    public IReadOnlyList<string> Diff(StorageSnapshot after, int max = 6) =>
        Lines
            .Except(after.Lines)
            .Select(l => "- " + l)
            .Concat(after.Lines.Except(Lines).Select(l => "+ " + l))
            .Take(max)
            .ToList();
}
