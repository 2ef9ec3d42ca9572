using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;

namespace ReviewHub.Reviews;

/// <summary>
/// Apple's public customer-reviews feed, for App Store apps without an active integration: each of the app's
/// territories, page numbers 1-10, newest first, one watermark per territory. A territory's first import (no watermark
/// yet, up to 500 old reviews) is history, so delivery summarises it.
/// </summary>
internal sealed class PublicFeedReviewSource(
    AppStoreFeedClient feed, ReviewPageLoop loop, IOptions<ReviewsOptions> options, TimeProvider clock,
    ILogger<PublicFeedReviewSource> logger) : IReviewSource
{
    public string Name => ReviewSources.Feed;

    /// <summary>Every App Store app the other sources do not read (registered last).</summary>
    public bool Reads(ReviewFetchTarget target) => target.App.Store == Stores.AppStore;

    public async Task<FetchOutcome> FetchAsync(ReviewFetchTarget target, CancellationToken cancellationToken)
    {
        var announcer = loop.Announcer(target, backfill: false);
        var firstImport = loop.Announcer(target, backfill: true);
        var newest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var requests = 0;
        foreach (var territory in target.App.TerritoryList)
        {
            var watermark = target.Schedule.FeedWatermark(territory);
            var rule = watermark is null ? NewReviewRule.FirstImport : NewReviewRule.Incremental(watermark);
            var (read, pageNewest) = await ReadTerritoryAsync(target, territory, watermark, rule, onlyNewer: false,
                requests, announcer, firstImport, cancellationToken);
            requests += read;
            if (pageNewest is { } mark)
            {
                newest[territory] = mark;
            }
        }
        await announcer.FlushAsync(cancellationToken);
        await firstImport.FlushAsync(cancellationToken);
        await loop.CompleteAsync(target, Name, announcer.Announced, budget: null, s =>
        {
            foreach (var (territory, mark) in newest)
            {
                s.AdvanceFeedWatermark(territory, mark);
            }
        }, cancellationToken);
        return new FetchOutcome(FetchOutcomeKind.Completed, Name, requests,
            announcer.Announced + firstImport.Announced);
    }

    /// <summary>
    /// One territory's pages down to <paramref name="watermark"/>, saved by <paramref name="rule"/>; returns the
    /// requests made and the newest review read. <paramref name="onlyNewer"/>: reviews at or before the watermark are
    /// not saved (the feed probe leaves them to the App Store Connect fetch).
    /// </summary>
    public async Task<(int Requests, DateTimeOffset? Newest)> ReadTerritoryAsync(
        ReviewFetchTarget target, string territory, DateTimeOffset? watermark, NewReviewRule rule, bool onlyNewer,
        int requestsBefore, NewReviewsAnnouncer announcer, NewReviewsAnnouncer? firstImport,
        CancellationToken cancellationToken)
    {
        var app = target.App;
        var walk = new ReviewWalk($"The {territory} feed of app {app.AppId}");
        DateTimeOffset? newest = null;
        var requests = 0;
        for (var page = 1; page <= AppStoreFeedClient.MaxPages; page++)
        {
            if (requestsBefore + requests++ > 0 && options.Value.FeedRequestDelay > TimeSpan.Zero)
            {
                await Task.Delay(options.Value.FeedRequestDelay, clock, cancellationToken);
            }
            var reviews = (await feed.GetPageAsync(
                territory, Territories.Storefront(territory), app.StoreAppId, page, cancellationToken)).Reviews;
            if (reviews.Count == 0)
            {
                break;
            }
            if (!walk.Advanced(reviews))
            {
                // The feed pages by number, so a page with nothing older is the feed serving an earlier page again
                // (what it does past its real end): the walk ends here instead of reading it up to 10 times.
                logger.LogWarning(
                    "The {Territory} feed of {AppId} answered page {Page} with reviews already read: ended there",
                    territory, app.AppId, page);
                break;
            }
            IReadOnlyList<FetchedReview> saved =
                onlyNewer && watermark is { } mark ? [.. reviews.Where(r => r.CreatedAt > mark)] : reviews;
            await loop.SaveAsync(target, Name, saved, rule, announcer, firstImport, cancellationToken);
            newest = ReviewPageLoop.Later(newest, reviews.Max(r => r.CreatedAt));
            if (ReviewPageLoop.ReachedWatermark(reviews, watermark) || reviews.Count < AppStoreFeedClient.PageSize)
            {
                break;
            }
        }
        return (requests, newest);
    }
}
