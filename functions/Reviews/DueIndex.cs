using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReviewHub.Reviews;

/// <summary>Keys of the due-time index (table ReviewFetchDue): partitions, due rows, pointers.</summary>
public static class DueIndex
{
    /// <summary>
    /// The one partition of the index before it was sharded; still read, so apps scheduled then keep firing.
    /// </summary>
    public const string LegacyPartition = "due";

    public static string PartitionName(int index) => $"due-{index.ToString("D3", CultureInfo.InvariantCulture)}";

    /// <summary>The partitions a timer run reads: the legacy one and <paramref name="partitions"/> shards.</summary>
    public static IEnumerable<string> AllPartitions(int partitions) =>
        Enumerable.Range(0, partitions).Select(PartitionName).Prepend(LegacyPartition);

    /// <summary>
    /// A stable partition for an app: the second 8 bytes of SHA-256(appId) (the first give its phase).
    /// </summary>
    public static string PartitionFor(string appId, int partitions)
    {
        var hash = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(appId)).AsSpan(8));
        return PartitionName((int)(hash % (ulong)partitions));
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
