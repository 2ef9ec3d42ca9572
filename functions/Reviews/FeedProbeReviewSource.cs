using Microsoft.Extensions.Options;
using ReviewHub.Apps;

namespace ReviewHub.Reviews;

/// <summary>
/// The feed probe (docs/ingestion.md, "Feed probe"): a busy integrated app (its review rate gave it an interval below
/// the hourly ceiling) is read from App Store Connect once an hour and, at the slots in between, from Apple's public
/// feed of its top territories, which costs no App Store Connect request. A probe saves and hands on only reviews newer
/// than both the API watermark and its own per-territory watermark, through the same page loop and matching as every
/// source, so the hourly App Store Connect fetch recognises them (matched, not stored again) and does not hand them on
/// again. It records the fetch on the schedule as an App Store Connect fetch (the app keeps its source and interval)
/// and never moves the API watermark: the API fetch still reads everything since its last one, which catches what the
/// feed lists late or not at all (territories not probed, reviews beyond its page).
/// </summary>
internal sealed class FeedProbeReviewSource(
    PublicFeedReviewSource feed, ReviewPageLoop loop, IOptions<ReviewsOptions> options, TimeProvider clock)
    : IReviewSource
{
    /// <summary>The name in metrics and logs; the reviews a probe stores are the feed's.</summary>
    public const string ProbeName = "feedProbe";

    private ReviewsOptions Options => options.Value;

    public string Name => ProbeName;

    /// <summary>
    /// An App Store app with an active, usable integration whose history import is done, whose interval is below the
    /// hourly ceiling, and whose last App Store Connect fetch is at least half an interval (a later slot) and less
    /// than an hour less half an interval (the slot nearest the hour mark) ago. Registered before the App Store Connect
    /// source, which reads every other slot.
    /// </summary>
    public bool Reads(ReviewFetchTarget target)
    {
        var schedule = target.Schedule;
        if (Options.FeedProbeTerritories <= 0 || target.App.Store != Stores.AppStore
            || target.Connection is not { IsDegraded: false, KeyReference: not null }
            || schedule.BackfillPending || schedule.ApiWatermark is null || schedule.ApiFetchedAt is not { } lastApi
            || schedule.Source != ReviewSources.AppStoreConnect
            || schedule.IntervalTicks <= 0 || schedule.Interval >= Options.ApiInterval)
        {
            return false;
        }
        // Within half a slot of the API fetch is still its slot (a duplicate or retried message): the API again.
        var sinceApi = clock.GetUtcNow() - lastApi;
        return sinceApi >= schedule.Interval / 2 && sinceApi < Options.ApiInterval - schedule.Interval / 2;
    }

    public async Task<FetchOutcome> FetchAsync(ReviewFetchTarget target, CancellationToken cancellationToken)
    {
        var schedule = target.Schedule;
        var announcer = loop.Announcer(target, backfill: false);
        var newest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var requests = 0;
        foreach (var territory in Territories(target))
        {
            var watermark = ReviewPageLoop.Later(schedule.ApiWatermark, schedule.ProbeWatermark(territory));
            var (read, territoryNewest) = await feed.ReadTerritoryAsync(target, territory, watermark,
                NewReviewRule.Probe(watermark), onlyNewer: true, requests, announcer, null, cancellationToken);
            requests += read;
            if (territoryNewest is { } mark && mark > watermark)
            {
                newest[territory] = mark;
            }
        }
        await announcer.FlushAsync(cancellationToken);
        // Counted as an App Store Connect fetch: the probe's reviews feed the same rate, and the app keeps its source.
        await loop.CompleteAsync(target, ReviewSources.AppStoreConnect, announcer.Announced, budget: null, s =>
        {
            foreach (var (territory, mark) in newest)
            {
                s.AdvanceProbeWatermark(territory, mark);
            }
        }, cancellationToken);
        return new FetchOutcome(FetchOutcomeKind.Completed, Name, requests, announcer.Announced);
    }

    /// <summary>
    /// The territories where App Store Connect found the most new reviews, up to
    /// <see cref="ReviewsOptions.FeedProbeTerritories"/>; before it found any, the app's first configured ones.
    /// </summary>
    private IReadOnlyList<string> Territories(ReviewFetchTarget target)
    {
        var top = target.Schedule.TopTerritories(Options.FeedProbeTerritories);
        return top.Count > 0 ? top : target.App.TerritoryList.Take(Options.FeedProbeTerritories).ToList();
    }
}
