using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ReviewHub.Observability;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// Which reviews of a page a fetch counts as new (notified one by one) and which as history (summarised, see
/// docs/delivery.md). A review stored for the first time is history when <see cref="IsHistory"/> says so, else new.
/// A review already stored (or matched with a stored copy) is handed on again, as new, when <see
/// cref="AnnounceAgain"/> says so: an earlier attempt may have saved it and failed before handing it on (delivery's
/// ledger absorbs a repeat).
/// </summary>
internal sealed record NewReviewRule(Func<FetchedReview, bool> IsHistory, Func<FetchedReview, bool> AnnounceAgain)
{
    /// <summary>
    /// A review not stored yet whose reviewer already has a stored review of the app in its territory is left out:
    /// not stored, not handed on. The feed probe's rule: the feed lists an edited review again under the edit's date,
    /// and only the reviewer tells it from a new one; whatever the probe leaves out, the App Store Connect fetch reads.
    /// (When that stored review is App Store Connect's and unmatched, the reviewer rule of matching pairs it first.)
    /// </summary>
    public bool SkipsKnownReviewers { get; init; }


    /// <summary>
    /// An incremental fetch: every review stored now is new (also one older than the watermark that Apple lists
    /// late); one already stored is handed on again when it is newer than the watermark.
    /// </summary>
    public static NewReviewRule Incremental(DateTimeOffset? watermark) =>
        new(_ => false, r => watermark is { } mark && r.CreatedAt > mark);

    /// <summary>
    /// An incremental App Store Connect fetch of an app the feed probe reads between: as <see cref="Incremental"/>,
    /// except that a stored review at or before its territory's probe watermark is not handed on again (the probe
    /// handed it on before it moved that watermark).
    /// </summary>
    public static NewReviewRule AfterProbes(DateTimeOffset? watermark, Func<string, DateTimeOffset?> probeWatermark) =>
        new(_ => false, r => watermark is { } mark && r.CreatedAt > mark
            && !(probeWatermark(r.Territory) is { } probed && r.CreatedAt <= probed));

    /// <summary>
    /// The feed probe: as <see cref="Incremental"/>, but a review whose reviewer has a stored review (an edit the feed
    /// dates anew) is left to the App Store Connect fetch (<see cref="SkipsKnownReviewers"/>).
    /// </summary>
    public static NewReviewRule Probe(DateTimeOffset? watermark) =>
        Incremental(watermark) with { SkipsKnownReviewers = true };

    /// <summary>A territory's first import from the public feed: everything found is history.</summary>
    public static readonly NewReviewRule FirstImport = new(_ => true, _ => false);

    /// <summary>
    /// The history import at activation: a review newer than its territory's feed watermark (the newest review the
    /// app's last completed feed fetch saw) arrived after that fetch and was never notified, so it is new; the rest,
    /// and every review of a territory the feed never read, is history.
    /// </summary>
    public static NewReviewRule ActivationImport(Func<string, DateTimeOffset?> feedWatermark)
    {
        bool Newer(FetchedReview r) => feedWatermark(r.Territory) is { } mark && r.CreatedAt > mark;
        return new(r => !Newer(r), Newer);
    }
}

/// <summary>
/// What saving a page did. <see cref="New"/>: the stored ids to hand on for notification (stored for the first time
/// now as new, or stored earlier and handed on again, see <see cref="NewReviewRule"/>); <see cref="History"/>: those
/// stored for the first time now as history. <see cref="Matched"/>: reviews recognised as copies of a review the other
/// source stored (<see cref="ReviewMatching"/>): no new row, the stored row records their id.
/// </summary>
internal sealed record SavedPage(
    IReadOnlyList<string> New, IReadOnlyList<string> History, int Inserted, int ResponsesUpdated, int Matched);

/// <summary>
/// Writes fetched reviews exactly once. Each page is classified with one range query on the timeline around its dates:
/// reviews stored before (by their id, or by the other source's id once matched), reviews of the other source they are
/// copies of (merged into that row, see <see cref="ReviewMatching"/>), and new ones. New reviews go in as batch inserts
/// (a review row that already exists is recognised, never overwritten), then their timeline rows; changed developer
/// responses are updated in place.
/// </summary>
internal sealed class ReviewStore(
    TableServiceClient tables, ReviewKeys keys, ReviewHubMetrics metrics, TimeProvider clock,
    ILogger<ReviewStore> logger, IEnumerable<IReviewEditObserver> editObservers)
{
    private const int MaxBatch = 100; // Azure Tables: at most 100 operations per transaction

    private readonly TableClient reviews = tables.GetTableClient(ReviewTables.Reviews);
    private readonly TableClient timeline = tables.GetTableClient(ReviewTables.ReviewTimeline);

    public TableClient Timeline => timeline;

    /// <param name="source">The source that served the page: only App Store Connect reports developer
    /// responses.</param>
    /// <param name="rule">Which of the page's reviews are new and which history.</param>
    public async Task<SavedPage> SaveAsync(
        string accountId, string appId, string source, IReadOnlyList<FetchedReview> page, NewReviewRule rule,
        CancellationToken cancellationToken)
    {
        if (page.Count == 0)
        {
            return new SavedPage([], [], 0, 0, 0);
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
                if ((ReportsResponses(source)
                        && row.ResponseVersion != ReviewTimelineEntity.VersionOf(review.Response))
                    || review.UserModifiedAt > row.CreatedAt || MayBeEdited(row, review, source))
                {
                    changed.Add((review, storedId));
                }
            }
            else if (!matched.TryGetValue(review.Id, out storedId!))
            {
                fresh.Add(review);
                continue;
            }
            if (rule.AnnounceAgain(review))
            {
                announce.Add(storedId);
            }
        }

        var reviewers = source == ReviewSources.GooglePlay || fresh.Count == 0
            ? new Dictionary<string, ReviewKeyEntity>(StringComparer.Ordinal)
            : await keys.ReviewersAsync(appId, fresh, cancellationToken);
        var byReviewer = await MatchReviewersAsync(appId, source, fresh, reviewers, cancellationToken);
        var feedEdits = new HashSet<string>(StringComparer.Ordinal);
        var revisited = 0;
        foreach (var (review, storedId, mergedBefore) in byReviewer)
        {
            fresh.Remove(review);
            // Served again later, its developer response may have changed. The feed's copy is dated by an edit after
            // the API's creation date: when App Store Connect last served the review before that edit, its text is
            // the newer one (UpdateKnownAsync).
            if (source == ReviewSources.Feed)
            {
                feedEdits.Add(review.Id);
            }
            if (mergedBefore || source == ReviewSources.Feed)
            {
                changed.Add((review, storedId));
                revisited++;
            }
            // Never handed on again: the other source stored the review and handed it on then (or counted it as
            // history), and the date that would make it look newer than the watermark is the feed's date of an edit.
        }
        if (rule.SkipsKnownReviewers)
        {
            fresh.RemoveAll(r => reviewers.ContainsKey(ReviewKeyEntity.ReviewerKey(r.Territory, r.ReviewerNickname)));
        }
        var now = clock.GetUtcNow();
        var rows = fresh.Select(r => ToEntity(accountId, appId, source, r, rule.IsHistory(r), now)).ToList();
        var inserted = await InsertNewAsync(rows, cancellationToken);
        // Counted as they are inserted: a retried or replayed fetch finds them stored and does not count them again.
        metrics.ReviewsIngested(inserted.Count, source);
        var alreadyStored = fresh.Where(r => !inserted.Contains(r.Id)).ToList();
        foreach (var review in alreadyStored)
        {
            // The row exists without its timeline row in reach: an earlier attempt stopped in between (repair it,
            // keep the stored row), or the source dates the review anew (the feed's date of an edit).
            changed.Add((review, review.Id));
            if (rule.AnnounceAgain(review) && !await RedatedAsync(appId, review, cancellationToken))
            {
                announce.Add(review.Id);
            }
        }
        await UpsertTimelineAsync(rows.Where(r => inserted.Contains(r.RowKey)).ToList(), cancellationToken);
        if (source != ReviewSources.GooglePlay && rows.Count > 0)
        {
            // After the timeline: a retry that finds the reviewer finds the review by id first.
            await keys.AddReviewersAsync(appId, rows, cancellationToken);
        }
        foreach (var (review, storedId) in changed)
        {
            await UpdateKnownAsync(appId, storedId, review, source, feedEdits.Contains(review.Id), cancellationToken);
        }
        var insertedNow = fresh.Where(r => inserted.Contains(r.Id)).ToList();
        announce.InsertRange(0, insertedNow.Where(r => !rule.IsHistory(r)).Select(r => r.Id));
        var history = insertedNow.Where(rule.IsHistory).Select(r => r.Id).ToList();
        var responsesUpdated = changed.Count - alreadyStored.Count - revisited;
        return new SavedPage(announce, history, inserted.Count, responsesUpdated,
            matched.Count + byReviewer.Count(m => !m.MergedBefore));
    }

    public async Task<ReviewEntity?> GetAsync(string appId, string reviewId, CancellationToken cancellationToken)
    {
        return await reviews.FindAsync<ReviewEntity>(appId, reviewId, cancellationToken);
    }

    /// <summary>The review by its id or by the other source's id of it (<see cref="ReviewKeys.FindAsync"/>).</summary>
    public Task<ReviewEntity?> FindAsync(string appId, string reviewId, CancellationToken cancellationToken) =>
        keys.FindAsync(appId, reviewId, cancellationToken);

    /// <summary>Deletes every review, timeline row and key of an app (app removed). Idempotent.</summary>
    public async Task PurgeAsync(string appId, CancellationToken cancellationToken)
    {
        await timeline.DeletePartitionAsync(appId, cancellationToken);
        await keys.PurgeAsync(appId, cancellationToken);
        await reviews.DeletePartitionAsync(appId, cancellationToken);
    }

    /// <summary>
    /// Whether the stored row of a review the source serves again carries another date: the public feed dates an
    /// edited review by the edit, so it is the stored review edited, not one an earlier attempt failed to hand on.
    /// </summary>
    private async Task<bool> RedatedAsync(string appId, FetchedReview review, CancellationToken cancellationToken) =>
        await reviews.FindAsync<ReviewEntity>(appId, review.Id, cancellationToken) is { } row
        && (row.CreatedAt - review.CreatedAt).Duration() > ReviewMatching.DateTolerance;

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
        // Only unmatched rows of the other source that either rule could pair with a review of the page.
        var open = index.Where(row => row.AliasId is null && row.Source != source && unknown.Any(r =>
            r.Territory == row.Territory && (r.CreatedAt - row.CreatedAt).Duration() is var apart
            && (apart <= ReviewMatching.EditTolerance
                || (r.Rating == row.Rating && apart <= ReviewMatching.DateTolerance)))).ToList();
        if (open.Count == 0)
        {
            return merged;
        }
        var candidates = open.Where(row => row is { ContentKey: not null, NicknameKey: not null, Source: not null })
            .Select(row => new MatchCandidate(
                row.ReviewId, row.Territory, row.Rating, row.CreatedAt, row.ContentKey!, row.NicknameKey!))
            .ToList();
        // Rows indexed before matching (or the edit rule) existed lack its keys: their review rows tell.
        var legacy = await Task.WhenAll(open.Where(row => row.ContentKey is null || row.NicknameKey is null
                || row.Source is null)
            .Select(row => GetAsync(appId, row.ReviewId, cancellationToken)));
        candidates.AddRange(legacy.Where(r => r is { AliasId: null } && r.Source != source).Select(r =>
            new MatchCandidate(r!.ReviewId, r.Territory, r.Rating, r.CreatedAt, ReviewMatching.ContentKey(r),
                ReviewMatching.NicknameKey(r.ReviewerNickname))));

        foreach (var (reviewId, match) in ReviewMatching.Pair(unknown, candidates))
        {
            var review = unknown.First(r => r.Id == reviewId);
            if (await MergeAsync(appId, match, review, source, cancellationToken))
            {
                merged[reviewId] = match.Candidate.ReviewId;
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
    /// The reviewer rule, for the reviews of a page that neither rule of <see cref="ReviewMatching"/> paired and that
    /// are not stored: App Store nicknames are unique and a customer has one review per app and storefront, so a
    /// review whose reviewer has a stored review of the other source in its territory is that review, when the feed's
    /// date is more than <see cref="ReviewMatching.DateTolerance"/> after App Store Connect's (the feed dates a review
    /// by its last edit, the API by its creation): the customer edited it before the feed first read it, or while the
    /// app was on the API and the feed read it after a disconnect. Closer dates were the content rule's to judge
    /// (doubt there stays doubt), and a page with two reviews of one reviewer is left alone. Each pair is merged like
    /// a match (a feed row takes App Store Connect's text; an API row takes the feed's when it is newer, see
    /// <c>UpdateKnownAsync</c>); <c>MergedBefore</c>: the stored row already carries this id (a later fetch serving it
    /// again, whose date keeps it out of the timeline range the page reads).
    /// </summary>
    private async Task<List<(FetchedReview Review, string StoredId, bool MergedBefore)>> MatchReviewersAsync(
        string appId, string source, List<FetchedReview> fresh,
        IReadOnlyDictionary<string, ReviewKeyEntity> reviewers, CancellationToken cancellationToken)
    {
        var found = new List<(FetchedReview Review, string StoredId, bool MergedBefore)>();
        var onlyOfTheirReviewer = fresh
            .GroupBy(r => ReviewKeyEntity.ReviewerKey(r.Territory, r.ReviewerNickname), StringComparer.Ordinal)
            .Where(g => g.Count() == 1 && reviewers.TryGetValue(g.Key, out var key) && key.ReviewId != g.First().Id
                && key.Source != source)
            .Select(g => (Review: g.First(), StoredId: reviewers[g.Key].ReviewId))
            .ToList();
        foreach (var (review, storedId) in onlyOfTheirReviewer)
        {
            if (await GetAsync(appId, storedId, cancellationToken) is not { } row || row.Territory != review.Territory)
            {
                continue;
            }
            var otherId = source == ReviewSources.AppStoreConnect ? row.AscReviewId : row.FeedReviewId;
            if (otherId == review.Id)
            {
                found.Add((review, storedId, MergedBefore: true));
                continue;
            }
            var (feedDate, apiDate) = source == ReviewSources.AppStoreConnect
                ? (row.CreatedAt, review.CreatedAt)
                : (review.CreatedAt, row.CreatedAt);
            if (row.AliasId is not null || row.Source == source || feedDate - apiDate <= ReviewMatching.DateTolerance)
            {
                continue;
            }
            // App Store Connect reads after the feed, so both show the latest version: equal words and rating, or two
            // reviews (customers that share a common nickname stay apart). The feed's copy of an API row is the edit
            // the API has not served: only the reviewer tells.
            if (source == ReviewSources.AppStoreConnect
                && (row.Rating != review.Rating || ReviewMatching.ContentKey(row) != ReviewMatching.ContentKey(review)))
            {
                continue;
            }
            var candidate = new MatchCandidate(row.ReviewId, row.Territory, row.Rating, row.CreatedAt,
                ReviewMatching.ContentKey(row), ReviewMatching.NicknameKey(row.ReviewerNickname));
            if (await MergeAsync(appId, new ReviewMatch(candidate, Edited: true), review, source, cancellationToken))
            {
                found.Add((review, storedId, MergedBefore: false));
            }
        }
        if (found.Count > 0)
        {
            logger.LogInformation(
                "Matched {Count} reviews from {Source} of app {AppId} by their reviewer with reviews the other source "
                + "stored under another date", found.Count, source, appId);
        }
        return found;
    }

    /// <summary>
    /// Records that <paramref name="review"/> (served by <paramref name="source"/>) is the stored review of
    /// <paramref name="match"/>: the row keeps its id and gains the other one; a feed row that App Store Connect now
    /// serves becomes an asc row with the developer response, and, when the customer edited the review between the two
    /// reads, App Store Connect's current rating, title and text replace the old ones (the feed's copy of an API row
    /// is the older version: the row keeps its text). False when another review of that source took the row first (a
    /// concurrent fetch) or it is gone: the review is then stored on its own.
    /// </summary>
    private async Task<bool> MergeAsync(
        string appId, ReviewMatch match, FetchedReview review, string source, CancellationToken cancellationToken)
    {
        // The alias first: a lookup by this id counts it only once the row carries the id, and a retry that finds
        // the merged row by its alias on the timeline never comes back here.
        await keys.AddAliasAsync(appId, review.Id, match.Candidate.ReviewId, cancellationToken);
        var takenByAnother = false;
        var row = await reviews.UpdateAsync<ReviewEntity>(appId, match.Candidate.ReviewId, stored =>
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
                if (match.Edited)
                {
                    stored.Rating = review.Rating;
                    stored.Title = review.Title;
                    stored.Body = review.Body;
                }
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
                await reviews.SubmitTransactionAsync(chunk.Select(r =>
                    new TableTransactionAction(TableTransactionActionType.Add, r)), cancellationToken);
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

    /// <summary>Sources that report the developer's public reply (the feed does not, so it never changes it).</summary>
    private static bool ReportsResponses(string source) =>
        source is ReviewSources.AppStoreConnect or ReviewSources.GooglePlay;

    /// <summary>
    /// Brings a stored review's developer response and, on Google Play, the user's edit up to date (ingestion owns
    /// these fields; the feed reports neither, so a feed copy never changes them), then rewrites its timeline row from
    /// the stored row.
    /// </summary>
    /// <param name="feedEdit">The feed's copy of an App Store Connect row, dated by an edit (the reviewer rule): its
    /// text is taken when that edit is later than the row's last known version (stored or edited).</param>
    private async Task UpdateKnownAsync(string appId, string storedId, FetchedReview review, string source,
        bool feedEdit, CancellationToken cancellationToken)
    {
        var edited = false;
        var now = clock.GetUtcNow();
        var stored = await reviews.UpdateAsync<ReviewEntity>(appId, storedId, row =>
        {
            var responseChanged = ReportsResponses(source) && ApplyResponse(row, review.Response);
            edited = (row.Source == source && source != ReviewSources.Feed && ApplyEdit(row, review, now))
                || (feedEdit && review.CreatedAt > (row.EditedAt ?? row.IngestedAt)
                    && ApplyEdit(row, review, review.CreatedAt));
            return responseChanged || edited;
        }, cancellationToken);
        if (stored is not null)
        {
            await timeline.UpsertEntityAsync(
                ReviewTimelineEntity.For(stored), TableUpdateMode.Replace, cancellationToken);
            if (edited)
            {
                logger.LogInformation("Review {ReviewId} of app {AppId} was edited by its reviewer", storedId, appId);
                foreach (var observer in editObservers)
                {
                    // The edit's own date (Google Play's lastModified), not when a poll saw it: a reply written
                    // between the two answers the edited text.
                    await observer.ReviewEditedAsync(stored, stored.EditedAt ?? now, cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// The source that stored the review serves it with other words or another rating: the reviewer edited it. Only
    /// the stored review's own source counts (a copy from the other source may be older) and never the public feed
    /// (nothing can be replied there); rows written before the timeline carried content keys are not compared.
    /// </summary>
    private static bool MayBeEdited(ReviewTimelineEntity row, FetchedReview review, string source) =>
        source != ReviewSources.Feed && row.Source == source && row.ContentKey is { } key
        && (key != ReviewMatching.ContentKey(review) || row.Rating != review.Rating);

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
        if (row.ReplyStatus is null && response?.LastModified >= row.EditedAt)
        {
            row.ReplyOutdated = false; // replied again (in the store's console) after the edit
        }
        return true;
    }

    /// <summary>
    /// Takes the reviewer's edit: rating, title and text become the edited ones, and a reply written before the edit is
    /// marked outdated. Google Play dates the edit (a newer <c>lastModified</c> under the same id); App Store Connect
    /// does not, so there an edit is other words or another rating under the same id, dated when it was seen
    /// (<paramref name="seenAt"/>). The row keeps its id and creation date (its timeline key); false when there is no
    /// edit.
    /// </summary>
    private static bool ApplyEdit(ReviewEntity row, FetchedReview review, DateTimeOffset seenAt)
    {
        var unchanged = review.UserModifiedAt is { } modified
            ? modified <= (row.EditedAt ?? row.CreatedAt)
            : row.Rating == review.Rating && row.Title == review.Title && row.Body == review.Body;
        if (unchanged)
        {
            return false;
        }
        var editedAt = review.UserModifiedAt ?? seenAt;
        row.Rating = review.Rating;
        row.Title = review.Title;
        row.Body = review.Body;
        row.EditedAt = editedAt;
        // A reply written through ReviewHub is judged by the replies feature (told as an edit observer, it marks the
        // version written before the edit and the summary brings that here); a response written in the store's
        // console is judged here, by its date.
        if (row.ReplyStatus is null && row.ResponseLastModified < editedAt)
        {
            row.ReplyOutdated = true;
        }
        return true;
    }

    private static ReviewEntity ToEntity(string accountId, string appId, string source, FetchedReview review,
        bool backfill, DateTimeOffset now) => new()
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
