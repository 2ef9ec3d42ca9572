using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Fakes;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// The feed probe of a busy integrated app (docs/ingestion.md, "Feed probe"): between the hourly App Store Connect
/// fetches the public feed announces new reviews at once, and the API fetch that reads them later recognises them.
/// </summary>
public sealed class FeedProbeTests
{
    private static readonly DateTimeOffset Start = new(2033, 4, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Table requests of a probe that finds nothing (docs/capacity.md, "Cost per app"): the app, the schedule,
    /// the integration and its connection link are read, the schedule is read again and written.</summary>
    public const int IdleProbeTableRequests = 8;

    /// <summary>An integrated app with its history imported and a review rate that makes it busy (5-minute slots), its
    /// last App Store Connect fetch just now; counting starts after.</summary>
    private static async Task<(IngestionHarness H, FakeTimeProvider Clock)> BusyAppAsync(
        Dictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var clock = new FakeTimeProvider(Start);
        var values = new Dictionary<string, string?>
        {
            ["Reviews:FeedRequestDelay"] = "00:00:00",
            ["Reviews:FeedProbeTerritories"] = "3",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }
        var h = await IngestionHarness.StartAsync(values, clock, configure);
        h.Feed.Clock = clock;
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(3, Start.AddDays(-1), "old"));
        await h.ActivateIntegrationAsync();
        await h.FetchUntilCompletedAsync();
        await h.FetchAsync(); // the first incremental API fetch
        await h.App.Get<FetchScheduler>().UpdateAsync(h.World.AccountId, h.World.AppId, s =>
        {
            s.ReviewRate = 30; // reviews an hour, observed for a day
            s.ReviewRateAt = Start;
            s.ReviewRateSince = Start.AddDays(-1);
            s.IntervalTicks = TimeSpan.FromMinutes(5).Ticks;
            return true;
        }, CancellationToken.None);
        h.TakeBatches();
        h.TakeFetches();
        h.Asc.ClearRequests();
        h.Feed.ClearRequests();
        return (h, clock);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_review_the_probe_announces_is_stored_and_handed_on_once_when_the_api_reads_it_later(
        bool apiTextDiffers)
    {
        var (h, clock) = await BusyAppAsync();
        await using var _ = h;
        var review = NewReview(Start.AddMinutes(2), "busy");
        h.Asc.SetReviews(h.StoreAppId, [review]);
        h.Feed.SetReviews("us", h.StoreAppId, [FakeReviewFeed.CopyOf(review, 9_100_000_001)]);

        clock.Advance(TimeSpan.FromMinutes(5));
        var probe = await h.FetchAsync();

        Assert.Equal((FeedProbeReviewSource.ProbeName, 1), (probe.Source, probe.NewReviews));
        Assert.Empty(h.ReviewRequests());
        Assert.Equal(["9100000001"], h.TakeBatches().SelectMany(b => b.ReviewIds));
        Assert.Equal(TimeSpan.FromMinutes(5), (await h.ScheduleAsync()).Interval); // still busy, still an API app

        // An hour after the last API fetch: App Store Connect reads the review (its text edited meanwhile, or not).
        if (apiTextDiffers)
        {
            h.Asc.SetReviews(h.StoreAppId, [review with { Body = review.Body + " Edit: now fixed." }]);
        }
        clock.Advance(TimeSpan.FromMinutes(55));
        var api = await h.FetchAsync();

        Assert.Equal((ReviewSources.AppStoreConnect, 0), (api.Source, api.NewReviews));
        Assert.Single(h.ReviewRequests());
        Assert.Empty(h.TakeBatches());
        var stored = (await h.StoredReviewsAsync()).Where(r => r.ReviewId == "9100000001" || r.AscReviewId ==
            review.Id).ToList();
        Assert.Equal(review.Id, Assert.Single(stored).AscReviewId);
        Assert.Equal(apiTextDiffers ? review.Body + " Edit: now fixed." : review.Body, stored[0].Body);
        Assert.Equal(4, await h.TimelineCountAsync());
    }

    [Fact]
    public async Task Probes_fill_the_hour_at_one_feed_request_per_territory_and_the_api_fetch_stays_hourly()
    {
        var (h, clock) = await BusyAppAsync();
        await using var _ = h;
        h.Feed.SetReviews("us", h.StoreAppId, []);

        var sources = new List<string>();
        for (var slot = 1; slot <= 24; slot++) // two hours of 5-minute slots
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            sources.Add((await h.FetchAsync()).Source);
        }

        // Slots 12 and 24 are an hour after the last API fetch; every other slot is a probe.
        Assert.Equal([11, 23], sources.Select((s, i) => (s, i)).Where(p => p.s == ReviewSources.AppStoreConnect)
            .Select(p => p.i));
        Assert.Equal(22, sources.Count(s => s == FeedProbeReviewSource.ProbeName));
        Assert.Equal(2, h.ReviewRequests().Count);
        // No territory had a review yet: the app's first territories (USA, GBR), one request each per probe.
        Assert.Equal(44, h.Feed.Requests.Count);
    }

    [Fact]
    public async Task An_idle_probe_costs_no_App_Store_Connect_request_and_one_feed_request_per_territory()
    {
        var counter = new TableRequestCounter();
        var connection = await Infrastructure.Azurite.ConnectionStringAsync();
        var (h, clock) = await BusyAppAsync(configure: s => s.Replace(counter.Client(connection)));
        await using var _ = h;
        h.Feed.SetReviews("us", h.StoreAppId, []);
        counter.Reset();

        clock.Advance(TimeSpan.FromMinutes(5));
        var outcome = await h.FetchAsync();

        Assert.Equal((FeedProbeReviewSource.ProbeName, 0), (outcome.Source, outcome.NewReviews));
        Assert.Empty(h.ReviewRequests());
        Assert.Equal(2, h.Feed.Requests.Count); // USA and GBR, the app's territories (none had reviews yet)
        Assert.True(counter.Count <= IdleProbeTableRequests, $"{counter.Count} table requests");
        Assert.Empty(h.App.Queue.Sent<object>(ReviewQueues.NewReviews));
    }

    [Fact]
    public async Task A_review_the_feed_lists_late_is_left_to_the_api_fetch_and_announced_by_it()
    {
        var (h, clock) = await BusyAppAsync();
        await using var _ = h;
        h.Feed.PublicationLag = TimeSpan.FromMinutes(30);
        var review = NewReview(Start.AddMinutes(50), "late");
        h.Asc.SetReviews(h.StoreAppId, [review]);
        h.Feed.SetReviews("us", h.StoreAppId, [FakeReviewFeed.CopyOf(review, 9_200_000_001)]);

        clock.Advance(TimeSpan.FromMinutes(55));
        Assert.Equal(0, (await h.FetchAsync()).NewReviews); // a probe: not in the feed yet
        clock.Advance(TimeSpan.FromMinutes(5));
        var api = await h.FetchAsync();

        Assert.Equal((ReviewSources.AppStoreConnect, 1), (api.Source, api.NewReviews));
        Assert.Equal([review.Id], h.TakeBatches().SelectMany(b => b.ReviewIds));
        clock.Advance(TimeSpan.FromMinutes(30)); // now the feed lists it: the probe recognises it
        var probe = await h.FetchAsync();
        Assert.Equal((FeedProbeReviewSource.ProbeName, 0), (probe.Source, probe.NewReviews));
        Assert.Empty(h.TakeBatches());
        Assert.Equal(4, await h.TimelineCountAsync());
    }

    [Fact]
    public async Task An_app_that_goes_back_to_hourly_takes_its_hourly_slot_not_the_sooner_probe_slot_it_had()
    {
        var (h, clock) = await BusyAppAsync();
        await using var _ = h;
        var scheduler = h.App.Get<FetchScheduler>();
        var hourly = FetchScheduler.NextSlotAfter(Start, TimeSpan.FromHours(1), h.World.AppId);
        clock.SetUtcNow(hourly.AddMinutes(1));
        await SetIntervalAsync(TimeSpan.FromMinutes(2.5)); // faster: a slot within 2.5 minutes

        var schedule = await SetIntervalAsync(TimeSpan.FromHours(1)); // quiet again

        // Keeping the sooner 2.5-minute slot would make it an App Store Connect fetch 3.5 minutes after the last one.
        Assert.Equal(hourly.AddHours(1), await scheduler.NextDueAtAsync(schedule, CancellationToken.None));

        async Task<FetchScheduleEntity> SetIntervalAsync(TimeSpan interval) =>
            (await scheduler.UpdateAsync(h.World.AccountId, h.World.AppId, s =>
            {
                s.IntervalTicks = interval.Ticks;
                return true;
            }, CancellationToken.None))!;
    }

    [Fact]
    public async Task With_the_probe_off_a_busy_app_is_fetched_from_App_Store_Connect_at_every_slot()
    {
        var (h, clock) = await BusyAppAsync(new() { ["Reviews:FeedProbeTerritories"] = "0" });
        await using var _ = h;

        clock.Advance(TimeSpan.FromMinutes(5));
        var outcome = await h.FetchAsync();

        Assert.Equal(ReviewSources.AppStoreConnect, outcome.Source);
        Assert.Single(h.ReviewRequests());
        Assert.Empty(h.Feed.Requests);
    }

    [Fact]
    public async Task A_review_the_api_stored_and_the_customer_edited_later_is_not_stored_or_announced_by_the_probe()
    {
        var (h, clock) = await BusyAppAsync();
        await using var _ = h;
        var review = NewReview(Start.AddMinutes(2), "edited");
        h.Asc.SetReviews(h.StoreAppId, [review]);
        clock.Advance(TimeSpan.FromMinutes(60)); // the hourly API fetch stores it under its API id and announces it
        var api = await h.FetchAsync();
        Assert.Equal((ReviewSources.AppStoreConnect, 1), (api.Source, api.NewReviews));
        Assert.Equal([review.Id], h.TakeBatches().SelectMany(b => b.ReviewIds));

        // Half an hour later the customer edits it: the feed lists it again, dated by the edit.
        var edited = review with { Body = review.Body + " Edit: fixed now." };
        h.Asc.SetReviews(h.StoreAppId, [edited]);
        h.Feed.SetReviews("us", h.StoreAppId,
            [FakeReviewFeed.CopyOf(edited, 9_300_000_001) with { Updated = Start.AddMinutes(90) }]);
        clock.Advance(TimeSpan.FromMinutes(35));
        var probe = await h.FetchAsync();

        Assert.Equal((FeedProbeReviewSource.ProbeName, 0), (probe.Source, probe.NewReviews));
        Assert.Empty(h.TakeBatches());
        Assert.Equal([review.Id], (await h.StoredReviewsAsync())
            .Where(r => !r.ReviewId.StartsWith("old", StringComparison.Ordinal)).Select(r => r.ReviewId));
    }

    [Fact]
    public async Task A_review_the_probe_stored_that_the_customer_edited_later_is_not_announced_again()
    {
        var (h, clock) = await BusyAppAsync();
        await using var _ = h;
        var review = NewReview(Start.AddMinutes(2), "redated");
        h.Asc.SetReviews(h.StoreAppId, [review]);
        h.Feed.SetReviews("us", h.StoreAppId, [FakeReviewFeed.CopyOf(review, 9_400_000_001)]);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, (await h.FetchAsync()).NewReviews); // the probe
        clock.Advance(TimeSpan.FromMinutes(55));
        Assert.Equal(0, (await h.FetchAsync()).NewReviews); // the API fetch matches it
        Assert.Equal(["9400000001"], h.TakeBatches().SelectMany(b => b.ReviewIds));

        var edited = review with { Body = review.Body + " Edit: fixed now." };
        h.Asc.SetReviews(h.StoreAppId, [edited]);
        h.Feed.SetReviews("us", h.StoreAppId,
            [FakeReviewFeed.CopyOf(edited, 9_400_000_001) with { Updated = Start.AddMinutes(70) }]);
        clock.Advance(TimeSpan.FromMinutes(15));
        var probe = await h.FetchAsync();

        Assert.Equal((FeedProbeReviewSource.ProbeName, 0), (probe.Source, probe.NewReviews));
        Assert.Empty(h.TakeBatches());
        Assert.Single(await h.StoredReviewsAsync(),
            r => r.ReviewId == "9400000001" || r.ReviewId == review.Id || r.AscReviewId == review.Id);
    }

    [Fact]
    public async Task A_reply_addressed_to_the_api_id_of_a_review_the_probe_stored_first_reaches_its_row()
    {
        var (h, clock) = await BusyAppAsync();
        await using var _ = h;
        var review = NewReview(Start.AddMinutes(2), "replied");
        h.Asc.SetReviews(h.StoreAppId, [review]);
        h.Feed.SetReviews("us", h.StoreAppId, [FakeReviewFeed.CopyOf(review, 9_500_000_001)]);
        clock.Advance(TimeSpan.FromMinutes(5));
        await h.FetchAsync(); // the probe stores it under its feed id
        clock.Advance(TimeSpan.FromMinutes(55));
        await h.FetchAsync(); // the API fetch adopts the row

        var path = $"{h.World.AppPath}/reviews/{review.Id}";
        var read = await h.App.Host.GetAsync(path, h.World.Token);
        var put = await h.App.Host.PutAsync($"{path}/reply", h.World.Token, new { body = "Thanks, fixed!" });
        var reply = await h.App.Host.GetAsync($"{path}/reply", h.World.Token);

        Assert.Equal(200, read.Status);
        Assert.Equal("9500000001", read.Json.GetProperty("reviewId").GetString());
        Assert.Equal(202, put.Status);
        Assert.Equal(200, reply.Status);
    }

    /// <summary>A review by a reviewer of its own (a customer has one review per app: an edit replaces it).</summary>
    private static FakeCustomerReview NewReview(DateTimeOffset at, string tag) =>
        FakeAppStoreConnect.GenerateReviews(1, at, tag)[0] with { ReviewerNickname = $"{tag}-reader" };
}
