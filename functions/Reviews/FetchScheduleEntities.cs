using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Reviews;

/// <summary>
/// The fetch state of one app. PartitionKey = accountId, RowKey = appId. Holds where the next fetch starts (watermarks),
/// the source it uses and when it is due; the due time is mirrored in <see cref="FetchDueEntity"/>, the index the timer reads.
/// </summary>
public sealed class FetchScheduleEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary><see cref="ReviewSources"/>: the source the app is scheduled for (decides the interval).</summary>
    public string Source { get; set; } = ReviewSources.Feed;

    public DateTimeOffset NextDueAt { get; set; }

    /// <summary>App Store Connect: createdDate of the newest review known to be saved with everything before it.</summary>
    public DateTimeOffset? ApiWatermark { get; set; }

    /// <summary>Public feed: one watermark per territory, "USA=ticks;GBR=ticks" (the feed is per storefront).</summary>
    public string FeedWatermarks { get; set; } = string.Empty;

    /// <summary>The integration's full-history import has not finished yet.</summary>
    public bool BackfillPending { get; set; }

    /// <summary>The <c>links.next</c> URL the paused backfill resumes from (null: start from the newest page).</summary>
    public string? BackfillCursor { get; set; }

    /// <summary>Newest review seen when the backfill started: the API watermark once the backfill completes.</summary>
    public DateTimeOffset? BackfillNewest { get; set; }

    /// <summary>
    /// The paused backfill's progress (see <see cref="ReviewWalk"/>): createdDate of the oldest review it read.
    /// </summary>
    public DateTimeOffset? BackfillOldest { get; set; }

    /// <summary>
    /// The paused backfill's pages in a row that brought no review older than <see cref="BackfillOldest"/>.
    /// </summary>
    public int BackfillPagesWithoutProgress { get; set; }

    /// <summary>Times the backfill started again from the newest page because its saved cursor was refused.</summary>
    public int BackfillRestarts { get; set; }

    public DateTimeOffset? BackfillCompletedAt { get; set; }
    public DateTimeOffset? LastFetchedAt { get; set; }
    public string? LastError { get; set; }

    [IgnoreDataMember]
    public string AccountId => PartitionKey;

    [IgnoreDataMember]
    public string AppId => RowKey;

    [IgnoreDataMember]
    public string DueKey => FetchDueEntity.KeyFor(NextDueAt, AccountId, AppId);

    public DateTimeOffset? FeedWatermark(string territory) =>
        ParseFeedWatermarks().TryGetValue(territory, out var ticks) ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void AdvanceFeedWatermark(string territory, DateTimeOffset newest)
    {
        var marks = ParseFeedWatermarks();
        if (marks.TryGetValue(territory, out var ticks) && ticks >= newest.UtcTicks)
        {
            return;
        }
        marks[territory] = newest.UtcTicks;
        FeedWatermarks = string.Join(';', marks.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"));
    }

    private Dictionary<string, long> ParseFeedWatermarks() => FeedWatermarks
        .Split(';', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('='))
        .ToDictionary(pair => pair[0], pair => long.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
}

/// <summary>
/// The due-time index: one row per scheduled app in one partition, RowKey = "{due ticks:D19}|{accountId}|{appId}", so the
/// timer's range query "RowKey &lt; now" reads only the apps that are due, however many are registered.
/// </summary>
public sealed class FetchDueEntity : ITableEntity
{
    public const string Partition = "due";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = string.Empty;
    public string AppId { get; set; } = string.Empty;

    [IgnoreDataMember]
    public DateTimeOffset DueAt => new(long.Parse(RowKey.AsSpan(0, 19), System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero);

    public static string KeyFor(DateTimeOffset due, string accountId, string appId) => $"{due.UtcTicks:D19}|{accountId}|{appId}";

    /// <summary>The exclusive upper bound of the keys due at <paramref name="now"/>.</summary>
    public static string UpperBound(DateTimeOffset now) => $"{now.UtcTicks + 1:D19}";

    public static FetchDueEntity For(FetchScheduleEntity schedule) =>
        new() { RowKey = schedule.DueKey, AccountId = schedule.AccountId, AppId = schedule.AppId };
}
