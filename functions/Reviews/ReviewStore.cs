using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ReviewHub.Observability;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// What saving a page did. <see cref="Announce"/>: the stored ids to hand on to notification (stored for the first
/// time now, or stored earlier but newer than the watermark). <see cref="Matched"/>: reviews recognised as copies of
/// a review the other source stored (<see cref="ReviewMatching"/>): no new row, the stored row records their id.
/// </summary>
public sealed record SavedPage(IReadOnlyList<string> Announce, int Inserted, int ResponsesUpdated, int Matched);

/// <summary>
/// Writes fetched reviews exactly once. Each page is classified with one range query on the timeline around its dates:
/// reviews stored before (by their id, or by the other source's id once matched), reviews of the other source they are
/// copies of (merged into that row, see <see cref="ReviewMatching"/>), and new ones. New reviews go in as batch inserts
/// (a review row that already exists is recognised, never overwritten), then their timeline rows; changed developer
/// responses are updated in place.
/// </summary>
public sealed class ReviewStore(
    TableServiceClient tables, ReviewHubMetrics metrics, TimeProvider clock, ILogger<ReviewStore> logger)
{
    private const int MaxBatch = 100; // Azure Tables: at most 100 operations per transaction

    private readonly TableClient reviews = tables.GetTableClient(TableNames.Reviews);
    private readonly TableClient timeline = tables.GetTableClient(TableNames.ReviewTimeline);

    public TableClient Timeline => timeline;

    /// <param name="source">The source that served the page: only App Store Connect reports developer
    /// responses.</param>
    /// <param name="announceAfter">Reviews already stored but newer than this are announced again (an earlier attempt
    /// saved them and may have failed before handing them on); null announces only first-time inserts.</param>
    public async Task<SavedPage> SaveAsync(
        string accountId, string appId, string source, IReadOnlyList<FetchedReview> page, bool backfill, DateTimeOffset? announceAfter,
        CancellationToken cancellationToken)
    {
        if (page.Count == 0)
        {
            return new SavedPage([], 0, 0, 0);
        }
        var index = await IndexAroundAsync(appId, page, cancellationToken);
        var stored = new Dictionary<string, ReviewTimelineEntity>(StringComparer.Ordinal);
        foreach (var row in index)
        {
            stored[row.ReviewId] = row;
            if (row.AliasId is { } alias)
            {
                stored[alias] = row;
            }
        }
        var distinct = page.DistinctBy(r => r.Id).ToList();
        var unknown = distinct.Where(r => !stored.ContainsKey(r.Id)).ToList();
        var matched = await MatchAsync(appId, source, unknown, index, cancellationToken);

        var fresh = new List<FetchedReview>();
        var changed = new List<(FetchedReview Review, string StoredId)>();
        var announce = new List<string>();
        foreach (var review in distinct)
        {
            string storedId;
            if (stored.TryGetValue(review.Id, out var row))
            {
                storedId = row.ReviewId;
                if (source == ReviewSources.AppStoreConnect
                    && row.ResponseVersion != ReviewTimelineEntity.VersionOf(review.Response))
                {
                    changed.Add((review, storedId));
                }
            }
            else if (!matched.TryGetValue(review.Id, out storedId!))
            {
                fresh.Add(review);
                continue;
            }
            if (announceAfter is { } after && review.CreatedAt > after)
            {
                announce.Add(storedId);
            }
        }

        var now = clock.GetUtcNow();
        var rows = fresh.Select(r => ToEntity(accountId, appId, source, r, backfill, now)).ToList();
        var inserted = await InsertNewAsync(rows, cancellationToken);
        // Counted as they are inserted: a retried or replayed fetch finds them stored and does not count them again.
        metrics.ReviewsIngested(inserted.Count, source);
        var alreadyStored = fresh.Where(r => !inserted.Contains(r.Id)).ToList();
        foreach (var review in alreadyStored)
        {
            // The row exists without its timeline row (an earlier attempt stopped in between): repair it, keep the
            // stored row.
            changed.Add((review, review.Id));
            if (announceAfter is { } after && review.CreatedAt > after)
            {
                announce.Add(review.Id);
            }
        }
        await UpsertTimelineAsync(rows.Where(r => inserted.Contains(r.RowKey)).ToList(), cancellationToken);
        foreach (var (review, storedId) in changed)
        {
            await UpdateKnownAsync(appId, storedId, review, source, cancellationToken);
        }
        announce.InsertRange(0, fresh.Where(r => inserted.Contains(r.Id)).Select(r => r.Id));
        return new SavedPage(announce, inserted.Count, changed.Count - alreadyStored.Count, matched.Count);
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

    /// <summary>
    /// The timeline rows around a page: its date range widened by <see cref="ReviewMatching.DateTolerance"/>, so it
    /// holds every stored review the page's reviews can be, including a matched row that kept the other source's
    /// date.
    /// </summary>
    private async Task<List<ReviewTimelineEntity>> IndexAroundAsync(
        string appId, IReadOnlyList<FetchedReview> page, CancellationToken cancellationToken)
    {
        var from = ReviewTimelineEntity.TimeKey(page.Max(r => r.CreatedAt) + ReviewMatching.DateTolerance);
        var to = ReviewTimelineEntity.AfterKeysAt(page.Min(r => r.CreatedAt) - ReviewMatching.DateTolerance);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {appId} and RowKey ge {from} and RowKey lt {to}");
        var rows = new List<ReviewTimelineEntity>();
        await foreach (var row in timeline.QueryRowsAsync<ReviewTimelineEntity>(
            filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Finds the stored reviews of the other source that <paramref name="unknown"/> reviews are copies of and merges
    /// each pair into the stored row. Returns page review id → stored review id.
    /// </summary>
    private async Task<Dictionary<string, string>> MatchAsync(
        string appId, string source, List<FetchedReview> unknown, List<ReviewTimelineEntity> index,
        CancellationToken cancellationToken)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        // Only unmatched rows of the other source whose territory, rating and date fit a review of the page.
        var open = index.Where(row => row.AliasId is null && row.Source != source && unknown.Any(r =>
            r.Territory == row.Territory && r.Rating == row.Rating
            && (r.CreatedAt - row.CreatedAt).Duration() <= ReviewMatching.DateTolerance)).ToList();
        if (open.Count == 0)
        {
            return merged;
        }
        var candidates = open.Where(row => row.ContentKey is not null && row.Source is not null)
            .Select(row => new MatchCandidate(row.ReviewId, row.Territory, row.Rating, row.CreatedAt, row.ContentKey!))
            .ToList();
        // Rows indexed before matching existed carry no source or content key: their review rows tell.
        var legacy = await Task.WhenAll(open.Where(row => row.ContentKey is null || row.Source is null)
            .Select(row => GetAsync(appId, row.ReviewId, cancellationToken)));
        candidates.AddRange(legacy.Where(r => r is { AliasId: null } && r.Source != source).Select(r =>
            new MatchCandidate(r!.ReviewId, r.Territory, r.Rating, r.CreatedAt, ReviewMatching.ContentKey(r))));

        foreach (var (reviewId, candidate) in ReviewMatching.Pair(unknown, candidates))
        {
            var review = unknown.First(r => r.Id == reviewId);
            if (await MergeAsync(appId, candidate.ReviewId, review, source, cancellationToken))
            {
                merged[reviewId] = candidate.ReviewId;
            }
        }
        if (merged.Count > 0)
        {
            logger.LogInformation(
                "Matched {Count} reviews from {Source} of app {AppId} with reviews stored from the other source",
                merged.Count, source, appId);
        }
        return merged;
    }

    /// <summary>
    /// Records that <paramref name="review"/> (served by <paramref name="source"/>) is the stored review
    /// <paramref name="storedId"/>: the row keeps its id and gains the other one; a feed row that App Store Connect
    /// now serves becomes an asc row with the developer response. False when another review of that source took the
    /// row first (a concurrent fetch) or it is gone: the review is then stored on its own.
    /// </summary>
    private async Task<bool> MergeAsync(
        string appId, string storedId, FetchedReview review, string source, CancellationToken cancellationToken)
    {
        var takenByAnother = false;
        var row = await reviews.UpdateAsync<ReviewEntity>(appId, storedId, stored =>
        {
            var alias = source == ReviewSources.AppStoreConnect ? stored.AscReviewId : stored.FeedReviewId;
            takenByAnother = alias is not null && alias != review.Id;
            if (alias is not null)
            {
                return false; // merged before (a retried fetch): only the timeline row may still need the update
            }
            if (source == ReviewSources.AppStoreConnect)
            {
                stored.AscReviewId = review.Id;
                stored.Source = ReviewSources.AppStoreConnect;
                ApplyResponse(stored, review.Response);
            }
            else
            {
                stored.FeedReviewId = review.Id;
            }
            return true;
        }, cancellationToken);
        if (row is null || takenByAnother)
        {
            return false;
        }
        await timeline.UpsertEntityAsync(ReviewTimelineEntity.For(row), TableUpdateMode.Replace, cancellationToken);
        return true;
    }

    /// <summary>
    /// Inserts in transactions of 100. A transaction that meets an existing row (a retry of a fetch that saved part
    /// of it) fails as a whole; its rows are then inserted one by one, and those that exist are left as they are.
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

    private async Task UpsertTimelineAsync(List<ReviewEntity> added, CancellationToken cancellationToken)
    {
        foreach (var chunk in added.Chunk(MaxBatch))
        {
            await timeline.SubmitTransactionAsync(
                chunk.Select(r => new TableTransactionAction(
                    TableTransactionActionType.UpsertReplace, ReviewTimelineEntity.For(r))),
                cancellationToken);
        }
    }

    /// <summary>
    /// Brings a stored review's App Store response up to date (ingestion owns these fields; only App Store Connect
    /// reports responses, so a feed copy never changes them), then rewrites its timeline row from the stored row.
    /// </summary>
    private async Task UpdateKnownAsync(
        string appId, string storedId, FetchedReview review, string source, CancellationToken cancellationToken)
    {
        var stored = await reviews.UpdateAsync<ReviewEntity>(appId, storedId,
            row => source == ReviewSources.AppStoreConnect && ApplyResponse(row, review.Response), cancellationToken);
        if (stored is not null)
        {
            await timeline.UpsertEntityAsync(
                ReviewTimelineEntity.For(stored), TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>Copies App Store Connect's developer response onto the row; false when it is unchanged.</summary>
    private static bool ApplyResponse(ReviewEntity row, FetchedResponse? response)
    {
        if (row.ResponseId == response?.Id && row.ResponseBody == response?.Body
            && row.ResponseState == response?.State && row.ResponseLastModified == response?.LastModified)
        {
            return false;
        }
        row.ResponseId = response?.Id;
        row.ResponseBody = response?.Body;
        row.ResponseState = response?.State;
        row.ResponseLastModified = response?.LastModified;
        return true;
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
