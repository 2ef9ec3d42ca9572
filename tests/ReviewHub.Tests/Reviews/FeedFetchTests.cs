using ReviewHub.Fakes;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.Reviews;

/// <summary>The public feed source (no active integration); the test app has territories USA and GBR.</summary>
public sealed class FeedFetchTests
{
    private static readonly DateTimeOffset Newest = new(2026, 10, 1, 10, 15, 0, TimeSpan.FromHours(-7));

    [Fact]
    public async Task The_first_fetch_imports_each_storefront_as_backfill_skips_non_reviews_and_reads_a_4xx_as_none()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.IncludeAppEntry = true;
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(120, Newest));
        // "gb" is not configured: the fake answers 404 like a storefront that does not sell the app.

        var outcome = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Completed, ReviewSources.Feed, 4),
            (outcome.Kind, outcome.Source, outcome.Requests));
        var rows = await h.StoredReviewsAsync();
        Assert.Equal(120, rows.Count);
        Assert.All(rows, r => Assert.True(r.Territory == "USA" && r.Source == ReviewSources.Feed && r.Backfilled));
        var sample = rows.Single(r => r.ReviewId == "1000000");
        Assert.Equal((5 - 4, "Title 0", "Content 0", "author0", Newest),
            (sample.Rating, sample.Title, sample.Body, sample.ReviewerNickname, sample.CreatedAt));
        var batch = Assert.Single(h.TakeBatches());
        Assert.True(batch.Backfill);
        Assert.Equal(120, batch.ReviewIds.Count);
        Assert.Contains(h.Feed.Requests,
            r => r.Path == $"/us/rss/customerreviews/page=1/id={h.StoreAppId}/sortby=mostrecent/json");
        Assert.Contains(h.Feed.Requests, r => r.Path.StartsWith("/gb/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Later_fetches_stop_at_each_storefront_watermark_and_hand_on_only_new_reviews()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(60, Newest));
        h.Feed.SetReviews("gb", h.StoreAppId, FakeReviewFeed.Generate(3, Newest, firstId: 2_000_000));
        await h.FetchAsync();
        h.TakeBatches();
        h.Feed.ClearRequests();

        var idle = await h.FetchAsync();
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(2, Newest.AddHours(1), firstId: 3_000_000));
        var fresh = await h.FetchAsync();

        Assert.Equal(2, idle.Requests); // one per storefront
        Assert.Equal(2, fresh.NewReviews);
        var batch = Assert.Single(h.TakeBatches());
        Assert.False(batch.Backfill);
        Assert.Equal(["3000000", "3000001"], batch.ReviewIds);
        Assert.Equal(65, (await h.StoredReviewsAsync()).Count);
        Assert.Equal(Newest.AddHours(1), (await h.ScheduleAsync()).FeedWatermark("USA"));
    }

    [Fact]
    public async Task A_single_entry_feed_is_one_review_and_an_empty_feed_is_none()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(1, Newest));
        h.Feed.SetReviews("gb", h.StoreAppId, []);

        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Completed, outcome.Kind);
        Assert.Equal("1000000", Assert.Single(await h.StoredReviewsAsync()).ReviewId);
    }

    [Fact]
    public async Task The_feed_is_read_up_to_ten_pages_of_fifty()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(600, Newest));

        await h.FetchAsync();

        Assert.Equal(500, (await h.StoredReviewsAsync()).Count);
        Assert.Equal(10, h.Feed.Requests.Count(r => r.Path.StartsWith("/us/", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(500, null)]
    [InlineData(429, null)]
    [InlineData(200, "{\"feed\": {\"entry\": [ {\"im:rating\": ")]
    [InlineData(200, "{\"feed\": {\"entry\": [{\"im:rating\": {\"label\": \"five\"}, \"id\": {\"label\": \"1\"}}]}}")]
    public async Task A_failing_or_malformed_feed_writes_nothing_and_retries_through_the_queue(int status, string? body)
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(5, Newest));
        h.Feed.Fail(new InjectedFault(status, body), 4);

        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Retrying, outcome.Kind);
        Assert.Contains(status == 200 ? "not the customer-reviews JSON" : $"answered {status}", outcome.Error);
        Assert.Empty(await h.StoredReviewsAsync());
        Assert.Empty(h.TakeBatches());
        Assert.Null((await h.ScheduleAsync()).FeedWatermark("USA"));
        Assert.Equal(1, Assert.Single(h.TakeFetches()).Attempt);
    }

    [Fact]
    public async Task A_feed_timeout_is_retried_through_the_queue()
    {
        await using var h = await IngestionHarness.StartAsync(
            new Dictionary<string, string?> { ["Reviews:FeedTimeout"] = "00:00:00.200" });
        h.Feed.Fail(InjectedFault.Timeout(TimeSpan.FromSeconds(5)), 4);

        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Retrying, outcome.Kind);
        Assert.Contains("did not answer", outcome.Error);
    }

    [Fact]
    public async Task A_long_retry_after_from_the_feed_defers_the_fetch_by_it()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(5, Newest));
        h.Feed.Fail(new InjectedFault(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "300" }));

        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Deferred, outcome.Kind);
        Assert.Single(h.Feed.Requests);
        var (later, delay) = Assert.Single(h.App.Queue.SentWithDelays<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
        Assert.Equal((0, 1), (later.Attempt, later.Deferrals));
        Assert.Equal(TimeSpan.FromMinutes(5), delay);
        h.TakeFetches();
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync(later)).Kind);
        Assert.Equal(5, (await h.StoredReviewsAsync()).Count);
    }
}
