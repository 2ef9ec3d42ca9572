using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReviewHub.Reviews;

/// <summary>
/// Keys of the due-time index: shards, due rows, pointers. A shard is a table of its own, <c>ReviewFetchDue000</c> …,
/// holding one partition named as the table: a table's size is what each row delete or update costs on Azurite
/// (docs/capacity.md, "Limits"), so many small tables keep a timer run's moves cheap. Shards of the earlier layouts —
/// the one partition <c>due</c> and the partitions <c>due-000</c> … — live on in table ReviewFetchDue and are still
/// read.
/// </summary>
internal static class DueIndex
{
    /// <summary>
    /// The one partition of the index before it was sharded; still read, so apps scheduled then keep firing.
    /// </summary>
    public const string LegacyPartition = "due";

    /// <summary>A shard of the layout before shards were tables: a partition of table ReviewFetchDue.</summary>
    public static string PartitionName(int index) => $"due-{index.ToString("D3", CultureInfo.InvariantCulture)}";

    /// <summary>A shard: its table, whose one partition has the same name.</summary>
    public static string ShardName(int index) =>
        $"{ReviewTables.ReviewFetchDue}{index.ToString("D3", CultureInfo.InvariantCulture)}";

    /// <summary>The table that holds a shard (the partition key of its rows, as named on a schedule).</summary>
    public static string TableOf(string partition) =>
        partition.StartsWith(LegacyPartition, StringComparison.Ordinal) ? ReviewTables.ReviewFetchDue : partition;

    /// <summary>
    /// The partitions a timer run reads: the legacy one, the <paramref name="partitions"/> partitions of the
    /// one-table layout, and the <paramref name="partitions"/> shard tables.
    /// </summary>
    public static IEnumerable<string> AllPartitions(int partitions) =>
        Enumerable.Range(0, partitions).Select(PartitionName).Prepend(LegacyPartition)
            .Concat(Enumerable.Range(0, partitions).Select(ShardName));

    /// <summary>
    /// A stable shard for an app: the second 8 bytes of SHA-256(appId) (the first give its phase).
    /// </summary>
    public static string PartitionFor(string appId, int partitions) => ShardName(ShardIndex(appId, partitions));

    /// <summary>Where the one-table layout put an app (its entry may still be there).</summary>
    public static string OneTablePartitionFor(string appId, int partitions) =>
        PartitionName(ShardIndex(appId, partitions));

    private static int ShardIndex(string appId, int partitions)
    {
        var hash = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(appId)).AsSpan(8));
        return (int)(hash % (ulong)partitions);
    }

    public static string KeyFor(DateTimeOffset due, string accountId, string appId) =>
        $"{due.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}|{accountId}|{appId}";

    public static string PointerKey(string accountId, string appId) => $"app|{accountId}|{appId}";

    /// <summary>The exclusive upper bound of the keys due at <paramref name="now"/>.</summary>
    public static string UpperBound(DateTimeOffset now) =>
        (now.UtcTicks + 1).ToString("D19", CultureInfo.InvariantCulture);

    public static DateTimeOffset DueAtOf(string rowKey) =>
        new(long.Parse(rowKey.AsSpan(0, 19), CultureInfo.InvariantCulture), TimeSpan.Zero);
}
