using ReviewHub.Fakes;
using ReviewHub.Observability;
using ReviewHub.Reviews;
using ReviewHub.Tests.Observability;

namespace ReviewHub.Tests.Reviews;

/// <summary>What ingestion reports on the ReviewHub meter: reviews ingested by source, fetch duration by source and
/// outcome.</summary>
public sealed class IngestionMetricsTests
{
    private static readonly DateTimeOffset Newest = new(2026, 7, 1, 12, 0, 0, TimeSpan.FromHours(-7));

    [Fact]
    public async Task An_api_fetch_counts_each_new_review_once_even_when_the_message_is_delivered_twice()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(10, Newest, "old"));
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);
        await h.ActivateIntegrationAsync();
        await h.FetchAsync(Assert.Single(h.TakeFetches())); // backfill: 10
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(30, Newest.AddDays(1), "new"));

        await Task.WhenAll(h.FetchAsync(), h.FetchAsync());
        await h.FetchAsync();

        Assert.Equal(40, recorded.Sum(ReviewHubMetrics.Names.ReviewsIngested,
            $"source={ReviewSources.AppStoreConnect}"));
        Assert.Equal(0, recorded.Sum(ReviewHubMetrics.Names.ReviewsIngested, $"source={ReviewSources.Feed}"));
        var fetches = recorded.LinesOf(ReviewHubMetrics.Names.FetchDuration);
        Assert.Equal(4, fetches.Count);
        Assert.All(fetches, line =>
            Assert.EndsWith($" source={ReviewSources.AppStoreConnect} outcome={FetchOutcomeKind.Completed}", line));
        // The rate-limit handler sees ingestion's calls: one headroom measurement per review request, backfill
        // included.
        Assert.Equal(h.ReviewRequests().Count,
            recorded.Values(ReviewHubMetrics.Names.AppStoreConnectRateLimitRemaining).Count);
    }

    [Fact]
    public async Task A_feed_fetch_counts_its_reviews_under_the_feed_source()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Feed.SetReviews("us", h.StoreAppId, FakeReviewFeed.Generate(25, Newest));
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);

        await h.FetchAsync();
        await h.FetchAsync(); // nothing new

        Assert.Equal([$"{ReviewHubMetrics.Names.ReviewsIngested} 25 source={ReviewSources.Feed}"],
            recorded.LinesOf(ReviewHubMetrics.Names.ReviewsIngested));
        var fetches = recorded.LinesOf(ReviewHubMetrics.Names.FetchDuration);
        Assert.Equal(2, fetches.Count);
        Assert.All(fetches, line =>
            Assert.EndsWith($" source={ReviewSources.Feed} outcome={FetchOutcomeKind.Completed}", line));
    }

    [Fact]
    public async Task A_throttled_fetch_reports_retrying_then_poisoned_and_ingests_nothing()
    {
        await using var h = await IngestionHarness.StartAsync(new Dictionary<string,
            string?> { ["Reviews:MaxFetchAttempts"] = "2" });
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(5, Newest, "old"));
        await h.ActivateIntegrationAsync();
        h.Asc.Fail(new InjectedFault(429, FakeAppStoreConnect.RateLimitBody), 8);
        using var recorded = new RecordedMeasurements(h.App.Get<ReviewHubMetrics>().Meter);

        await h.FetchAsync(Assert.Single(h.TakeFetches()));
        await h.FetchAsync(Assert.Single(h.TakeFetches()));

        Assert.Empty(recorded.LinesOf(ReviewHubMetrics.Names.ReviewsIngested));
        var outcomes = recorded.LinesOf(ReviewHubMetrics.Names.FetchDuration).Select(line =>
            line[(line.LastIndexOf('=') + 1)..]);
        Assert.Equal([nameof(FetchOutcomeKind.Retrying), nameof(FetchOutcomeKind.Poisoned)], outcomes);
    }
}
