using Azure;
using Azure.Data.Tables;
using ReviewHub.Observability;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>Ids a saved page hands on to notification: stored for the first time now, or stored earlier but newer than the watermark.</summary>
public sealed record SavedPage(IReadOnlyList<string> Announce, int Inserted, int ResponsesUpdated);

/// <summary>
/// Writes fetched reviews exactly once. The page that reaches the watermark is classified with one range query on the
/// timeline (new, known, known with a changed developer response); new reviews go in as batch inserts (a review row that
/// already exists is recognised, never overwritten), then their timeline rows; changed responses are updated in place.
/// </summary>
public sealed class ReviewStore(TableServiceClient tables, ReviewHubMetrics metrics, TimeProvider clock)
{
    private const int MaxBatch = 100; // Azure Tables: at most 100 operations per transaction

    private readonly TableClient reviews = tables.GetTableClient(TableNames.Reviews);
    private readonly TableClient timeline = tables.GetTableClient(TableNames.ReviewTimeline);

    public TableClient Timeline => timeline;

    /// <param name="announceAfter">Reviews already stored but newer than this are announced again (an earlier attempt saved them
    /// and may have failed before handing them on); null announces only first-time inserts.</param>
    public async Task<SavedPage> SaveAsync(
        string accountId, string appId, string source, IReadOnlyList<FetchedReview> page, bool backfill, DateTimeOffset? announceAfter,
        CancellationToken cancellationToken)
    {
        if (page.Count == 0)
        {
            return new SavedPage([], 0, 0);
        }
        // Only a page that reaches back to the watermark can hold reviews stored by an earlier fetch (whose responses may have
        // changed): it is classified with one range query. Newer pages are inserted directly; a rare leftover of an interrupted
        // attempt is caught by the insert's conflict.
        var known = announceAfter is { } watermark && page.Any(r => r.CreatedAt <= watermark)
            ? await KnownVersionsAsync(appId, page, cancellationToken)
            : [];
        var fresh = new List<FetchedReview>();
        var changed = new List<FetchedReview>();
        var announce = new List<string>();
        foreach (var review in page.DistinctBy(r => r.Id))
        {
            if (!known.TryGetValue(review.Id, out var version))
            {
                fresh.Add(review);
            }
            else
            {
                if (version != ReviewTimelineEntity.VersionOf(review.Response))
                {
                    changed.Add(review);
                }
                if (announceAfter is { } after && review.CreatedAt > after)
                {
                    announce.Add(review.Id);
                }
            }
        }

        var now = clock.GetUtcNow();
        var inserted = await InsertNewAsync(fresh.Select(r => ToEntity(accountId, appId, source, r, backfill, now)).ToList(), cancellationToken);
        // Counted as they are inserted: a retried or replayed fetch finds them stored and does not count them again.
        metrics.ReviewsIngested(inserted.Count, source);
        var alreadyStored = fresh.Where(r => !inserted.Contains(r.Id)).ToList();
        foreach (var review in alreadyStored)
        {
            // The row exists without its timeline row (an earlier attempt stopped in between): repair it, keep the stored row.
            changed.Add(review);
            if (announceAfter is { } after && review.CreatedAt > after)
            {
                announce.Add(review.Id);
            }
        }
        await UpsertTimelineAsync(appId, fresh.Where(r => inserted.Contains(r.Id)).ToList(), cancellationToken);
        foreach (var review in changed)
        {
            await UpdateResponseAsync(appId, review, cancellationToken);
        }
        announce.InsertRange(0, fresh.Where(r => inserted.Contains(r.Id)).Select(r => r.Id));
        return new SavedPage(announce, inserted.Count, changed.Count - alreadyStored.Count);
    }

    public async Task<ReviewEntity?> GetAsync(string appId, string reviewId, CancellationToken cancellationToken)
    {
        var row = await reviews.GetEntityIfExistsAsync<ReviewEntity>(appId, reviewId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>Deletes every review and timeline row of an app (app removed). Idempotent.</summary>
    public async Task PurgeAsync(string appId, CancellationToken cancellationToken)
    {
        await timeline.DeletePartitionAsync(appId, cancellationToken);
        await reviews.DeletePartitionAsync(appId, cancellationToken);
    }

    private async Task<Dictionary<string, string>> KnownVersionsAsync(string appId, IReadOnlyList<FetchedReview> page, CancellationToken cancellationToken)
    {
        var newest = page.Max(r => r.CreatedAt);
        var oldest = page.Min(r => r.CreatedAt);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {appId} and RowKey ge {ReviewTimelineEntity.TimeKey(newest)} and RowKey lt {ReviewTimelineEntity.AfterKeysAt(oldest)}");
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var row in timeline.QueryRowsAsync<ReviewTimelineEntity>(
            filter, maxPerPage: 1000, select: [nameof(ReviewTimelineEntity.ReviewId), nameof(ReviewTimelineEntity.ResponseVersion)],
            cancellationToken: cancellationToken))
        {
            known[row.ReviewId] = row.ResponseVersion;
        }
        return known;
    }

    /// <summary>
    /// Inserts in transactions of 100. A transaction that meets an existing row (a retry of a fetch that saved part of it)
    /// fails as a whole; its rows are then inserted one by one, and those that exist are left as they are.
    /// </summary>
    private async Task<HashSet<string>> InsertNewAsync(List<ReviewEntity> rows, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in rows.Chunk(MaxBatch))
        {
            try
            {
                await reviews.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
                inserted.UnionWith(chunk.Select(r => r.RowKey));
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                foreach (var row in chunk)
                {
                    if (await reviews.TryAddAsync(row, cancellationToken))
                    {
                        inserted.Add(row.RowKey);
                    }
                }
            }
        }
        return inserted;
    }

    private async Task UpsertTimelineAsync(string appId, List<FetchedReview> added, CancellationToken cancellationToken)
    {
        foreach (var chunk in added.Chunk(MaxBatch))
        {
            await timeline.SubmitTransactionAsync(
                chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ReviewTimelineEntity.For(appId, r))),
                cancellationToken);
        }
    }

    /// <summary>Brings a known review's App Store response up to date (ingestion owns these fields), then its timeline row.</summary>
    private async Task UpdateResponseAsync(string appId, FetchedReview review, CancellationToken cancellationToken)
    {
        var stored = await reviews.UpdateAsync<ReviewEntity>(appId, review.Id, row =>
        {
            if (row.ResponseId == review.Response?.Id && row.ResponseBody == review.Response?.Body
                && row.ResponseState == review.Response?.State && row.ResponseLastModified == review.Response?.LastModified)
            {
                return false;
            }
            row.ResponseId = review.Response?.Id;
            row.ResponseBody = review.Response?.Body;
            row.ResponseState = review.Response?.State;
            row.ResponseLastModified = review.Response?.LastModified;
            return true;
        }, cancellationToken);
        if (stored is not null)
        {
            // Index the stored row's date: a review Apple re-dates keeps one timeline row.
            await timeline.UpsertEntityAsync(ReviewTimelineEntity.For(appId, review with { CreatedAt = stored.CreatedAt }),
                TableUpdateMode.Replace, cancellationToken);
        }
    }

    private static ReviewEntity ToEntity(string accountId, string appId, string source, FetchedReview review, bool backfill, DateTimeOffset now) => new()
    {
        PartitionKey = appId,
        RowKey = review.Id,
        AccountId = accountId,
        Rating = review.Rating,
        Title = review.Title,
        Body = review.Body,
        ReviewerNickname = review.ReviewerNickname,
        Territory = review.Territory,
        CreatedAt = review.CreatedAt,
        Source = source,
        IngestedAt = now,
        Backfilled = backfill,
        ResponseId = review.Response?.Id,
        ResponseBody = review.Response?.Body,
        ResponseState = review.Response?.State,
        ResponseLastModified = review.Response?.LastModified,
    };
}
