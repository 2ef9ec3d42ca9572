using ReviewHub.Fakes;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// Every review-paging loop is bounded: App Store Connect next links that lead back to a page already read (the same
/// cursor, or fresh-looking cursors serving the same pages) stop the fetch at once, record the error where the SPA sees
/// it and poison the message with its context, instead of spending the key's hourly budget or re-queuing a backfill for
/// ever.
/// </summary>
public sealed class PagingBoundTests
{
    private static readonly DateTimeOffset Newest = new(2026, 8, 1, 12, 0, 0, TimeSpan.Zero);

    private static Dictionary<string, string?> SmallPages(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Reviews:ApiPageSize"] = "10" };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>
    /// An app whose 5-review history is imported, then 100 new reviews (11 pages of 10 with the old ones).
    /// </summary>
    private static async Task<(IngestionHarness H, FakeAppStoreConnectKey Key)> IntegratedWithNewReviewsAsync()
    {
        var h = await IngestionHarness.StartAsync(SmallPages());
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(5, Newest, "old"));
        var key = await h.ActivateIntegrationAsync();
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync(Assert.Single(h.TakeFetches()))).Kind);
        h.TakeBatches();
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(100, Newest.AddDays(2), "new"));
        h.Asc.HourlyLimit = 400;
        h.Asc.ClearRequests();
        return (h, key);
    }

    [Theory]
    [InlineData(2, 1, false, 3)] // back to an earlier page under its cursor: stopped before the repeated request
    [InlineData(1, 1, false, 2)] // a page that links to itself
    // Fresh cursors that serve pages already read: stopped after 3 pages without older reviews.
    [InlineData(2, 0, true, 6)]
    public async Task A_next_link_back_to_a_page_already_read_stops_the_fetch_and_poisons_it_with_its_context(
        int fromPage, int toPage, bool freshCursor, int expectedRequests)
    {
        var (h, key) = await IntegratedWithNewReviewsAsync();
        await using var _ = h;
        h.Asc.CursorLoop = new FakeCursorLoop(fromPage, toPage, freshCursor);

        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Poisoned, outcome.Kind);
        Assert.Equal(expectedRequests, h.ReviewRequests().Count);
        Assert.True(h.Asc.RequestsInLastHour(key.KeyId) <= expectedRequests + 1,
            "the key's hourly budget is not spent on the loop");
        Assert.Empty(h.TakeFetches()); // not re-queued
        var poisoned = Assert.Single(
            h.App.Queue.Sent<ReviewFetchRequest>(PoisonQueues.NameFor(ReviewQueues.ReviewFetches)));
        Assert.Equal((h.World.AccountId, h.World.AppId), (poisoned.AccountId, poisoned.AppId));
        Assert.Contains("App Store Connect review fetch of app " + h.World.AppId, poisoned.LastError);
        Assert.Contains(freshCursor ? "without reaching a review older than" : "already read", poisoned.LastError);
        var schedule = await h.ScheduleAsync();
        Assert.Equal(poisoned.LastError, schedule.LastError);
        Assert.Equal(Newest, schedule.ApiWatermark); // pages before the loop are saved; the watermark waits

        var status = await h.App.Host.GetAsync($"{h.World.AppPath}/review-fetch", h.World.Token);
        Assert.Equal(200, status.Status);
        var body = status.As<ReviewFetchStatusResponse>();
        Assert.Equal((ReviewSources.AppStoreConnect, poisoned.LastError), (body.Source, body.LastError));

        // Once App Store Connect pages correctly again, the next fetch completes and clears the error.
        h.Asc.CursorLoop = null;
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
        Assert.Equal(105, (await h.StoredReviewsAsync()).Count);
        var cleared = await h.App.Host.GetAsync($"{h.World.AppPath}/review-fetch", h.World.Token);
        Assert.Null(cleared.As<ReviewFetchStatusResponse>().LastError);
    }

    [Fact]
    public async Task A_backfill_whose_next_links_loop_is_poisoned_instead_of_re_queuing_itself()
    {
        await using var h = await IngestionHarness.StartAsync(SmallPages());
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(450, Newest, "old"));
        h.Asc.CursorLoop = new FakeCursorLoop(5, 2, FreshCursor: true);
        await h.ActivateIntegrationAsync();

        var outcome = await h.FetchAsync(Assert.Single(h.TakeFetches()));

        Assert.Equal(FetchOutcomeKind.Poisoned, outcome.Kind);
        Assert.Equal(9, h.ReviewRequests().Count); // pages 0-5, then 2, 3, 4 again
        Assert.Empty(h.TakeFetches());
        var schedule = await h.ScheduleAsync();
        Assert.True(schedule.BackfillPending);
        Assert.Contains("history import (backfill)", schedule.LastError);
        Assert.Equal(60, (await h.StoredReviewsAsync()).Count);
        Assert.Contains("history import (backfill)",
            Assert.Single(h.App.Queue.Sent<ReviewFetchRequest>(
                PoisonQueues.NameFor(ReviewQueues.ReviewFetches))).LastError);
    }

    /// <summary>
    /// Each run reads one or two pages and pauses at the key's budget, so the loop only shows across runs.
    /// </summary>
    private static Dictionary<string, string?> OnePagePerRun() =>
        SmallPages(("Reviews:BackfillBudgetReserve", "3598"), ("Reviews:BudgetWaitDelay", "00:00:00"));

    private static async Task<(int Runs, FetchOutcome Last)> RunBackfillAsync(
        IngestionHarness h, Func<Task>? beforeEachRun = null)
    {
        var message = Assert.Single(h.TakeFetches());
        for (var run = 1; run <= 20; run++)
        {
            if (beforeEachRun is not null)
            {
                await beforeEachRun();
            }
            var outcome = await h.FetchAsync(message);
            var next = h.TakeFetches();
            if (outcome.Kind != FetchOutcomeKind.Deferred)
            {
                Assert.Empty(next);
                return (run, outcome);
            }
            message = Assert.Single(next);
        }
        return (21, new FetchOutcome(FetchOutcomeKind.Deferred, ReviewSources.AppStoreConnect, 0, 0));
    }

    [Fact]
    public async Task A_loop_that_spans_backfill_runs_is_caught_from_the_progress_saved_with_the_cursor()
    {
        await using var h = await IngestionHarness.StartAsync(OnePagePerRun());
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(450, Newest, "old"));
        // Page 3 links back to page 1, under the cursor an earlier run followed.
        h.Asc.CursorLoop = new FakeCursorLoop(3, 1);
        await h.ActivateIntegrationAsync();

        var (runs, last) = await RunBackfillAsync(h);

        Assert.Equal(FetchOutcomeKind.Poisoned, last.Kind);
        Assert.True(runs <= 6, $"poisoned after {runs} runs");
        Assert.Equal(7, h.ReviewRequests().Count); // pages 0-3, then 1, 2, 3 again
        Assert.Contains("without reaching a review older than", (await h.ScheduleAsync()).LastError);
    }

    [Fact]
    public async Task A_backfill_whose_saved_cursor_keeps_being_refused_restarts_a_bounded_number_of_times()
    {
        await using var h = await IngestionHarness.StartAsync(OnePagePerRun());
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(450, Newest, "old"));
        await h.ActivateIntegrationAsync();
        var schedules = h.App.Get<FetchScheduler>();
        var first = true;

        var (runs, last) = await RunBackfillAsync(h, async () =>
        {
            if (!first)
            {
                // The saved cursor expired while the backfill waited: App Store Connect refuses it (400
                // PARAMETER_ERROR).
                await schedules.UpdateAsync(h.World.AccountId, h.World.AppId, s =>
                {
                    s.BackfillCursor = s.BackfillCursor?.Replace("cursor=", "cursor=expired", StringComparison.Ordinal);
                    return true;
                }, CancellationToken.None);
            }
            first = false;
        });

        Assert.Equal(FetchOutcomeKind.Poisoned, last.Kind);
        // the first run, three restarts, the fourth refused
        Assert.Equal(AppStoreConnectReviewSource.MaxBackfillRestarts + 2, runs);
        Assert.Contains("refused 4 times", (await h.ScheduleAsync()).LastError);
    }

    [Fact]
    public async Task A_feed_that_serves_its_first_page_again_is_read_once_not_ten_times()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.RepeatFirstPageAfter = 1;
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(300, Newest));

        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(2, h.Feed.Requests.Count(r => r.Path.StartsWith("/us/", StringComparison.Ordinal)));
        Assert.Equal(50, (await h.StoredReviewsAsync()).Count);
        Assert.Equal(Newest, (await h.ScheduleAsync()).FeedWatermark("USA"));
    }

    [Fact]
    public async Task Fetch_status_of_a_feed_app_shows_the_feed_and_no_error()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(3, Newest));
        await h.FetchAsync();

        var response = await h.App.Host.GetAsync($"{h.World.AppPath}/review-fetch", h.World.Token);
        var status = response.As<ReviewFetchStatusResponse>();

        Assert.Equal(ReviewSources.Feed, status.Source);
        Assert.NotNull(status.LastFetchedAt);
        Assert.Null(status.LastError);
        Assert.False(status.BackfillPending);
    }
}
