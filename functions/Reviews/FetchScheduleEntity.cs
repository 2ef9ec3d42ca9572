using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace ReviewHub.Reviews;

/// <summary>
/// The fetch state of one app. PartitionKey = accountId, RowKey = appId. Holds where the next fetch starts
/// (watermarks), the source it uses, its review rate and fetch interval; when it is due is kept in the due-time index
/// (<see cref="FetchDueEntity"/>, <see cref="FetchDuePointer"/>), the only place the timer reads.
/// </summary>
internal sealed class FetchScheduleEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary><see cref="ReviewSources"/>: the source the app is scheduled for (decides the interval).</summary>
    public string Source { get; set; } = ReviewSources.Feed;

    /// <summary>
    /// The app's review rate (new reviews per hour), decayed over time: see <see cref="FetchIntervals"/>.
    /// </summary>
    public double ReviewRate { get; set; }

    /// <summary>When <see cref="ReviewRate"/> was last updated (null: not yet observed).</summary>
    public DateTimeOffset? ReviewRateAt { get; set; }

    /// <summary>When the rate was first observed (how much of a window the average has seen).</summary>
    public DateTimeOffset? ReviewRateSince { get; set; }

    /// <summary>The app's fetch interval in ticks (0: the source's ceiling); the index row carries the same.</summary>
    public long IntervalTicks { get; set; }

    /// <summary>
    /// The due-index partition holding the app's rows, chosen when it was scheduled (null: scheduled before the index
    /// was sharded, in <see cref="DueIndex.LegacyPartition"/>).
    /// </summary>
    public string? DuePartition { get; set; }

    /// <summary>App Store Connect: createdDate of the newest review known to be saved with everything before
    /// it.</summary>
    public DateTimeOffset? ApiWatermark { get; set; }

    /// <summary>Public feed: one watermark per territory, "USA=ticks;GBR=ticks" (the feed is per storefront).</summary>
    public string FeedWatermarks { get; set; } = string.Empty;

    /// <summary>
    /// Feed probe of a busy integrated app (docs/ingestion.md, "Feed probe"): per territory, the newest review a probe
    /// saved and handed on, "USA=ticks;GBR=ticks". The API fetch does not hand a review on again at or before it.
    /// </summary>
    public string ProbeWatermarks { get; set; } = string.Empty;

    /// <summary>
    /// New reviews the App Store Connect fetches found per territory, "USA=n;GBR=n": the feed probe reads the
    /// territories with the most.
    /// </summary>
    public string TerritoryReviewCounts { get; set; } = string.Empty;

    /// <summary>When the last incremental App Store Connect fetch completed (the probe fills the hour in
    /// between).</summary>
    public DateTimeOffset? ApiFetchedAt { get; set; }

    /// <summary>The integration's full-history import has not finished yet.</summary>
    public bool BackfillPending { get; set; }

    /// <summary>The <c>links.next</c> URL the paused backfill resumes from (null: start from the newest
    /// page).</summary>
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
    /// <summary>Google Play: the newest <c>userComment.lastModified</c> read (reviews created or edited since are
    /// new to the next poll).</summary>
    public DateTimeOffset? PlayWatermark { get; set; }

    /// <summary>Google Play: when the last completed poll started (a poll more than 7 days later has a gap).</summary>
    public DateTimeOffset? PlayPolledAt { get; set; }

    /// <summary>Google Play: the last gap a poll could not recover (reviews created or edited in it and not changed
    /// since are beyond the list's 7-day window).</summary>
    public DateTimeOffset? PlayGapFrom { get; set; }
    public DateTimeOffset? PlayGapTo { get; set; }

    /// <summary>Google Play: the start of the app's current quota hour and the reads its fetches spent in it.</summary>
    public DateTimeOffset? PlayQuotaHour { get; set; }
    public int PlayQuotaUsed { get; set; }

    public DateTimeOffset? LastFetchedAt { get; set; }
    public string? LastError { get; set; }

    [IgnoreDataMember]
    public string AccountId => PartitionKey;

    [IgnoreDataMember]
    public string AppId => RowKey;

    [IgnoreDataMember]
    public TimeSpan Interval => TimeSpan.FromTicks(IntervalTicks);

    public DateTimeOffset? FeedWatermark(string territory) => MarkOf(FeedWatermarks, territory);

    public void AdvanceFeedWatermark(string territory, DateTimeOffset newest) =>
        FeedWatermarks = Advanced(FeedWatermarks, territory, newest);

    public DateTimeOffset? ProbeWatermark(string territory) => MarkOf(ProbeWatermarks, territory);

    public void AdvanceProbeWatermark(string territory, DateTimeOffset newest) =>
        ProbeWatermarks = Advanced(ProbeWatermarks, territory, newest);

    /// <summary>Adds the territories of new reviews an App Store Connect fetch found to
    /// <see cref="TerritoryReviewCounts"/>.</summary>
    public void CountTerritoryReviews(IEnumerable<string> territories)
    {
        var counts = Parse(TerritoryReviewCounts);
        foreach (var territory in territories)
        {
            counts[territory] = counts.GetValueOrDefault(territory) + 1;
        }
        TerritoryReviewCounts = Format(counts);
    }

    /// <summary>The <paramref name="count"/> territories with the most new reviews, most first (ties by
    /// name).</summary>
    public IReadOnlyList<string> TopTerritories(int count) => Parse(TerritoryReviewCounts)
        .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(count).Select(c => c.Key)
        .ToList();

    private static DateTimeOffset? MarkOf(string marks, string territory) =>
        Parse(marks).TryGetValue(territory, out var ticks) ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    private static string Advanced(string marks, string territory, DateTimeOffset newest)
    {
        var parsed = Parse(marks);
        if (parsed.TryGetValue(territory, out var ticks) && ticks >= newest.UtcTicks)
        {
            return marks;
        }
        parsed[territory] = newest.UtcTicks;
        return Format(parsed);
    }

    private static string Format(Dictionary<string, long> values) => string.Join(';',
        values.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"));

    private static Dictionary<string, long> Parse(string values) => values
        .Split(';', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('='))
        .ToDictionary(pair => pair[0], pair => long.Parse(pair[1], System.Globalization.CultureInfo.InvariantCulture),
            StringComparer.Ordinal);
}

/// <summary>
/// A row of the due-time index (table ReviewFetchDue): one per scheduled app, PartitionKey = the app's index partition
/// (<see cref="DueIndex.PartitionFor"/>), RowKey = "{due ticks:D19}|{accountId}|{appId}", so the timer's range query
/// "RowKey &lt; now" in each partition reads only the apps that are due, however many are registered. It carries the
/// app's interval, so the timer moves it to its next slot without reading anything else.
/// </summary>
internal sealed class FetchDueEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AccountId { get; set; } = string.Empty;
    public string AppId { get; set; } = string.Empty;

    /// <summary>The app's fetch interval in ticks: the timer moves the row by it.</summary>
    public long IntervalTicks { get; set; }

    [IgnoreDataMember]
    public DateTimeOffset DueAt => DueIndex.DueAtOf(RowKey);

    [IgnoreDataMember]
    public TimeSpan Interval => TimeSpan.FromTicks(IntervalTicks);
}

/// <summary>
/// The app's entry in its index partition, RowKey = "app|{accountId}|{appId}" (sorts after every due row, so the
/// timer's range query never reads it): points at the app's due row. Every move of a due row changes its pointer in the
/// same transaction, so an app has exactly one due row, and a writer that read the pointer (with its ETag) knows it.
/// </summary>
internal sealed class FetchDuePointer : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>RowKey of the app's due row.</summary>
    public string DueKey { get; set; } = string.Empty;
}
