using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using ReviewHub.AppStoreConnect;
using ReviewHub.Fakes;
using ReviewHub.Http;
using ReviewHub.Integrations;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Reviews;

public sealed class AppStoreConnectFetchTests
{
    private static readonly DateTimeOffset Newest = new(2026, 7, 1, 12, 0, 0, TimeSpan.FromHours(-7));

    /// <summary>An app whose integration was activated and whose history (<paramref name="history"/> reviews) is
    /// backfilled.</summary>
    private static async Task<IngestionHarness> BackfilledAsync(int history = 450, IDictionary<string,
        string?>? settings = null)
    {
        var h = await IngestionHarness.StartAsync(settings);
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(history, Newest, "old"));
        await h.ActivateIntegrationAsync();
        var start = Assert.Single(h.TakeFetches());
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync(start)).Kind);
        h.TakeBatches();
        h.Asc.ClearRequests();
        return h;
    }

    [Fact]
    public async Task Activation_backfills_the_whole_history_marked_as_backfill_and_switches_to_hourly_api_fetching()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(450, Newest, "old"));

        await h.ActivateIntegrationAsync();
        await h.ActivateIntegrationAsync(); // activation is reported at least once: the second changes nothing
        var outcome = await h.FetchAsync(Assert.Single(h.TakeFetches()));

        Assert.Equal(3, outcome.Requests);
        var rows = await h.StoredReviewsAsync();
        Assert.Equal(450, rows.Count);
        Assert.All(rows, r => Assert.True(r.Backfilled && r.Source == ReviewSources.AppStoreConnect));
        var batches = h.TakeBatches();
        Assert.All(batches, b => Assert.True(b.Backfill && b.ReviewIds.Count <= NewReviewsBatch.MaxReviewIds
            && b.AppId == h.World.AppId));
        Assert.Equal(450, batches.SelectMany(b => b.ReviewIds).Distinct().Count());
        var schedule = await h.ScheduleAsync();
        Assert.Equal(ReviewSources.AppStoreConnect, schedule.Source);
        Assert.False(schedule.BackfillPending);
        Assert.Equal(Newest, schedule.ApiWatermark);
        var first = h.ReviewRequests()[0];
        Assert.Equal($"/v1/apps/{h.StoreAppId}/customerReviews", first.Path);
        Assert.Contains("sort=-createdDate", first.Query);
        Assert.Contains("limit=200", first.Query);
        Assert.Contains("include=response", first.Query);
        Assert.Contains("cursor=", h.ReviewRequests()[1].Query);
    }

    [Fact]
    public async Task An_idle_fetch_costs_one_request_and_hands_nothing_on()
    {
        await using var h = await BackfilledAsync();

        var outcome = await h.FetchAsync();

        Assert.Equal((FetchOutcomeKind.Completed, 1, 0), (outcome.Kind, outcome.Requests, outcome.NewReviews));
        Assert.Single(h.ReviewRequests());
        Assert.Empty(h.TakeBatches());
    }

    [Fact]
    public async Task New_reviews_are_stored_once_handed_on_in_one_batch_and_the_fetch_stops_at_the_watermark()
    {
        await using var h = await BackfilledAsync();
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(250, Newest.AddDays(1), "new"));

        var outcome = await h.FetchAsync();

        Assert.Equal(2, outcome.Requests); // 200 new, then 50 new + 150 known: stop
        var batch = Assert.Single(h.TakeBatches());
        Assert.False(batch.Backfill);
        Assert.Equal(250, batch.ReviewIds.Count);
        var rows = await h.StoredReviewsAsync();
        Assert.Equal(700, rows.Count);
        Assert.Equal(250, rows.Count(r => !r.Backfilled));
        Assert.Equal(700, await h.TimelineCountAsync());
        Assert.Equal(Newest.AddDays(1), (await h.ScheduleAsync()).ApiWatermark);
    }

    [Fact]
    public async Task A_duplicate_queue_message_stores_no_duplicate_rows()
    {
        await using var h = await BackfilledAsync(history: 10);
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(30, Newest.AddDays(1), "new"));

        await Task.WhenAll(h.FetchAsync(), h.FetchAsync());
        await h.FetchAsync();

        Assert.Equal(40, (await h.StoredReviewsAsync()).Select(r => r.ReviewId).Distinct().Count());
        Assert.Equal(40, (await h.StoredReviewsAsync()).Count);
        Assert.Equal(40, await h.TimelineCountAsync());
        // Every new review was handed on, and a repeat hands on the same batch id (delivery recognises it).
        var batches = h.TakeBatches();
        Assert.Equal(30, batches.SelectMany(b => b.ReviewIds).Distinct().Count());
        Assert.Single(batches.Select(b => b.BatchId).Distinct());
    }

    [Fact]
    public async Task A_changed_developer_response_on_a_known_review_is_updated_without_notifying_again()
    {
        await using var h = await BackfilledAsync(history: 20);
        var known = FakeAppStoreConnect.GenerateReviews(20, Newest, "old")[0];
        var response = new FakeDeveloperResponse("resp-1", "Thanks, fixed in 2.1", "PENDING_PUBLISH",
            Newest.AddHours(1));
        h.Asc.SetReviews(h.StoreAppId, [known with { Response = response }]);

        await h.FetchAsync();
        h.Asc.SetReviews(h.StoreAppId, [known with { Response = response with { State = "PUBLISHED" } }]);
        await h.FetchAsync();

        var row = (await h.StoredReviewsAsync()).Single(r => r.ReviewId == known.Id);
        Assert.Equal(("resp-1", "Thanks, fixed in 2.1", "PUBLISHED"), (row.ResponseId, row.ResponseBody,
            row.ResponseState));
        Assert.Empty(h.TakeBatches());
        Assert.Equal(20, (await h.StoredReviewsAsync()).Count);
    }

    [Fact]
    public async Task The_watermark_never_moves_past_a_review_that_was_not_saved()
    {
        await using var h = await BackfilledAsync(history: 10);
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(450, Newest.AddDays(1), "new"));
        // Page 2 fails past the HTTP client's retries: page 1 is saved, the rest is not.
        h.Asc.Fail(new InjectedFault(500, FakeAppStoreConnect.ErrorBody(500, "UNEXPECTED_ERROR",
            "An unexpected error occurred.")), 4,
            r => r.Query.ContainsKey("cursor"));

        var failed = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Retrying, failed.Kind);
        Assert.Equal(Newest, (await h.ScheduleAsync()).ApiWatermark);
        Assert.Equal(210, (await h.StoredReviewsAsync()).Count);
        var retry = Assert.Single(h.TakeFetches());
        Assert.Equal((1, h.World.AppId), (retry.Attempt, retry.AppId));
        Assert.Contains("500", retry.LastError);

        var outcome = await h.FetchAsync(retry);

        Assert.Equal(FetchOutcomeKind.Completed, outcome.Kind);
        Assert.Equal(460, (await h.StoredReviewsAsync()).Count);
        Assert.Equal(Newest.AddDays(1), (await h.ScheduleAsync()).ApiWatermark);
        // Everything newer than the old watermark was handed on, including the page saved by the failed attempt.
        Assert.Equal(450, h.TakeBatches().SelectMany(b => b.ReviewIds).Distinct().Count());
    }

    [Fact]
    public async Task
        A_429_with_the_rate_limit_header_records_the_spent_budget_and_the_next_fetch_waits_without_a_request()
    {
        await using var h = await BackfilledAsync(history: 5, new Dictionary<string,
            string?> { ["Reviews:BudgetWaitDelay"] = "00:10:00" });
        h.Asc.Fail(new InjectedFault(429, FakeAppStoreConnect.RateLimitBody,
            new Dictionary<string, string> { ["X-Rate-Limit"] = "user-hour-lim:3600;user-hour-rem:0;" }), 4);

        Assert.Equal(FetchOutcomeKind.Retrying, (await h.FetchAsync()).Kind);
        Assert.Equal(0, await h.App.Get<ApiKeyBudgets>().RemainingAsync((await IntegrationReference(h)),
            TimeSpan.FromHours(1), CancellationToken.None));
        h.Asc.ClearRequests();

        var next = await h.FetchAsync(Assert.Single(h.TakeFetches()));

        Assert.Equal(FetchOutcomeKind.Deferred, next.Kind);
        Assert.Empty(h.ReviewRequests());
        Assert.Single(h.TakeFetches()); // comes back after the wait
    }

    [Fact]
    public async Task A_429_without_headers_backs_off_through_the_queue_and_lands_in_the_poison_queue_with_the_app_id()
    {
        await using var h = await BackfilledAsync(history: 5, new Dictionary<string,
            string?> { ["Reviews:MaxFetchAttempts"] = "2" });
        h.Asc.Fail(new InjectedFault(429, FakeAppStoreConnect.RateLimitBody), 8);

        var first = await h.FetchAsync();
        var retry = Assert.Single(h.TakeFetches());
        var second = await h.FetchAsync(retry);

        Assert.Equal((FetchOutcomeKind.Retrying, FetchOutcomeKind.Poisoned), (first.Kind, second.Kind));
        var poisoned = Assert.Single(
            h.App.Queue.Sent<ReviewFetchRequest>(PoisonQueues.NameFor(ReviewQueues.ReviewFetches)));
        Assert.Equal((h.World.AccountId, h.World.AppId, 0), (poisoned.AccountId, poisoned.AppId, poisoned.Attempt));
        Assert.Contains("429", poisoned.LastError);
        Assert.Contains("429", (await h.ScheduleAsync()).LastError);

        // A replay gets a fresh retry budget: one more transient failure sends it back through the queue, not to
        // poison.
        h.App.Queue.Take<ReviewFetchRequest>(PoisonQueues.NameFor(ReviewQueues.ReviewFetches));
        h.Asc.Fail(new InjectedFault(429, FakeAppStoreConnect.RateLimitBody), 4);
        Assert.Equal(FetchOutcomeKind.Retrying, (await h.FetchAsync(poisoned)).Kind);
        Assert.Empty(h.App.Queue.Sent<ReviewFetchRequest>(PoisonQueues.NameFor(ReviewQueues.ReviewFetches)));
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync(Assert.Single(h.TakeFetches()))).Kind);
    }

    [Fact]
    public async Task A_long_retry_after_defers_the_fetch_by_it_without_holding_the_worker_or_spending_an_attempt()
    {
        await using var h = await BackfilledAsync(history: 5);
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(3, Newest.AddDays(1), "new"));
        h.Asc.Fail(FakeAppStoreConnect.RateLimited(TimeSpan.FromMinutes(5), remaining: 1200));

        var watch = Stopwatch.StartNew();
        var outcome = await h.FetchAsync();
        watch.Stop();

        var inProcessLimit = h.App.Get<IOptions<OutboundHttpOptions>>().Value.MaxRetryAfterWait;
        Assert.True(watch.Elapsed < inProcessLimit, $"The worker was held {watch.Elapsed} (limit {inProcessLimit}).");
        Assert.Equal(FetchOutcomeKind.Deferred, outcome.Kind);
        Assert.Single(h.ReviewRequests()); // not retried in process
        var (later, delay) = Assert.Single(h.App.Queue.SentWithDelays<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
        Assert.Equal((0, 1), (later.Attempt, later.Deferrals));
        Assert.Equal(TimeSpan.FromMinutes(5), delay);
        Assert.Contains("429", (await h.ScheduleAsync()).LastError);

        h.TakeFetches();
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync(later)).Kind); // once the delay is over
        Assert.Equal(8, (await h.StoredReviewsAsync()).Count);
        Assert.Null((await h.ScheduleAsync()).LastError);
    }

    [Fact]
    public async Task Deferrals_of_a_fetch_are_bounded_after_them_a_rate_limit_spends_an_attempt()
    {
        await using var h = await BackfilledAsync(
            history: 5, new Dictionary<string, string?> { ["Reviews:MaxDeferrals"] = "1" });
        h.Asc.Fail(FakeAppStoreConnect.RateLimited(TimeSpan.FromMinutes(5)), 2);

        Assert.Equal(FetchOutcomeKind.Deferred, (await h.FetchAsync()).Kind);
        var deferred = Assert.Single(h.TakeFetches());
        Assert.Equal(FetchOutcomeKind.Retrying, (await h.FetchAsync(deferred)).Kind);

        var (retry, delay) = Assert.Single(h.App.Queue.SentWithDelays<ReviewFetchRequest>(ReviewQueues.ReviewFetches));
        Assert.Equal((1, 1), (retry.Attempt, retry.Deferrals));
        Assert.Equal(TimeSpan.FromMinutes(5), delay); // still no sooner than asked
    }

    [Fact]
    public async Task A_timeout_is_retried_through_the_queue_and_writes_nothing()
    {
        await using var h = await BackfilledAsync(history: 5, new Dictionary<string,
            string?> { ["AppStoreConnect:Timeout"] = "00:00:00.200" });
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(3, Newest.AddDays(1), "new"));
        h.Asc.Fail(InjectedFault.Timeout(TimeSpan.FromSeconds(5)), 4);

        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Retrying, outcome.Kind);
        Assert.Contains("did not answer", outcome.Error);
        Assert.Equal(5, (await h.StoredReviewsAsync()).Count);
        Assert.Empty(h.TakeBatches());
    }

    [Fact]
    public async Task Malformed_json_is_a_clear_error_and_nothing_is_written()
    {
        await using var h = await BackfilledAsync(history: 5);
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(3, Newest.AddDays(1), "new"));
        h.Asc.Fail(new InjectedFault(200, "{\"data\": [ {\"type\": \"customerReviews\", \"id\": \"x\""), 1);

        var outcome = await h.FetchAsync();

        Assert.Equal(FetchOutcomeKind.Retrying, outcome.Kind);
        Assert.Contains("not the expected JSON document", outcome.Error);
        Assert.Equal(5, (await h.StoredReviewsAsync()).Count);
        Assert.Empty(h.TakeBatches());
        Assert.Equal(Newest, (await h.ScheduleAsync()).ApiWatermark);
    }

    [Fact]
    public async Task A_document_that_breaks_the_schema_is_a_clear_error_and_nothing_is_written()
    {
        await using var h = await BackfilledAsync(history: 5);
        h.Asc.Fail(new InjectedFault(200,
            """{"data":[{"type":"customerReviews","id":"x","attributes":{"rating":9}}],"links":{"self":"/"}}"""), 1);

        var outcome = await h.FetchAsync();

        Assert.Contains("does not follow CustomerReviewsResponse", outcome.Error);
        Assert.Equal(5, (await h.StoredReviewsAsync()).Count);
    }

    [Fact]
    public async Task A_rejected_key_pauses_the_fetch_at_once_without_retry_or_poison()
    {
        await using var h = await IngestionHarness.StartAsync();
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(3, Newest));
        var unknownKey = new FakeAppStoreConnect().CreateKey(); // a key App Store Connect does not know (revoked)
        await h.ActivateIntegrationAsync(unknownKey);

        var outcome = await h.FetchAsync(Assert.Single(h.TakeFetches()));

        Assert.Equal(FetchOutcomeKind.Paused, outcome.Kind); // the connection is degraded (issue 13, item 4)
        Assert.Contains("NOT_AUTHORIZED", outcome.Error);
        Assert.Empty(await h.StoredReviewsAsync());
        Assert.Empty(h.App.Queue.Take<ReviewFetchRequest>(PoisonQueues.NameFor(ReviewQueues.ReviewFetches)));
        Assert.Empty(h.TakeFetches());
    }

    [Fact]
    public async Task A_refused_key_shows_in_the_integration_status_until_a_passing_check_or_a_new_key()
    {
        await using var h = await BackfilledAsync(history: 3);
        var notAuthorized = new InjectedFault(401, FakeAppStoreConnect.ErrorBody(401, "NOT_AUTHORIZED",
            "Authentication credentials are missing or invalid."));
        h.Asc.Fail(notAuthorized, 1);

        Assert.Equal(FetchOutcomeKind.Paused, (await h.FetchAsync()).Kind);
        var refused = await StatusAsync(h);
        Assert.NotNull(refused.KeyRefusedAt);
        Assert.Contains("401 NOT_AUTHORIZED", refused.KeyRefusal);
        Assert.Contains("fetching reviews", refused.KeyRefusal);
        Assert.Equal(("degraded", "keyRevoked", refused.KeyRefusal), (refused.Status, refused.DegradedCause,
            refused.DegradedReason));
        Assert.StartsWith(refused.KeyRefusal!, refused.NextStep);
        Assert.Null(refused.LastError); // the setup's own problems stay apart

        // Paused while degraded: the status keeps saying since when, and no call is made.
        Assert.Equal(FetchOutcomeKind.Paused, (await h.FetchAsync()).Kind);
        Assert.Equal(refused.KeyRefusedAt, (await StatusAsync(h)).KeyRefusedAt);

        // A refusal met with a key read before operators registered a new one is not the new key's.
        var integrations = h.App.Get<IntegrationStore>();
        var stale = (await integrations.GetAsync(h.World.AccountId, h.World.AppId, CancellationToken.None))!;
        await integrations.SetCredentialAsync(h.World.AccountId, h.World.AppId, stale.CredentialReference!,
            DateTimeOffset.UtcNow, CancellationToken.None);
        var renewed = await StatusAsync(h);
        Assert.Equal(("active", null, null), (renewed.Status, renewed.KeyRefusedAt, renewed.DegradedCause));
        await h.App.Get<IntegrationKeyRefusals>().RecordAsync(AppConnection.Of(stale, h.World.AppId),
            "fetching reviews",
            new AppStoreConnectException(AppStoreConnectFailure.NotAuthorized, HttpStatusCode.Unauthorized,
                "NOT_AUTHORIZED", "Refused."), CancellationToken.None);
        Assert.Null((await StatusAsync(h)).KeyRefusedAt);
        Assert.Equal(FetchOutcomeKind.Completed, (await h.FetchAsync()).Kind);
    }

    private static async Task<IntegrationStatusResponse> StatusAsync(IngestionHarness h)
    {
        var response = await h.App.Host.GetAsync(h.IntegrationPath, h.World.Token);
        Assert.True(response.Status == 200, response.ToString());
        return response.As<IntegrationStatusResponse>();
    }

    [Fact]
    public async Task A_backfill_pauses_at_the_key_budget_and_resumes_from_its_cursor()
    {
        await using var h = await IngestionHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Reviews:BackfillBudgetReserve"] = "3598",
            ["Reviews:BudgetWaitDelay"] = "00:00:00",
        });
        h.Asc.SetReviews(h.StoreAppId, FakeAppStoreConnect.GenerateReviews(450, Newest, "old"));
        await h.ActivateIntegrationAsync();

        var paused = await h.FetchAsync(Assert.Single(h.TakeFetches()));

        // after page 2 the key has 3598 left: the reserve
        Assert.Equal((FetchOutcomeKind.Deferred, 2), (paused.Kind, paused.Requests));
        var schedule = await h.ScheduleAsync();
        Assert.True(schedule.BackfillPending);
        Assert.Contains("cursor=", schedule.BackfillCursor);
        Assert.Null(schedule.ApiWatermark);
        h.Asc.ClearRequests();
        h.Asc.HourlyLimit = 100_000;

        var resumed = await h.FetchAsync(Assert.Single(h.TakeFetches()));

        Assert.Equal((FetchOutcomeKind.Completed, 1), (resumed.Kind, resumed.Requests));
        Assert.Contains("cursor=", Assert.Single(h.ReviewRequests()).Query);
        Assert.Equal(450, (await h.StoredReviewsAsync()).Count);
        Assert.Equal(Newest, (await h.ScheduleAsync()).ApiWatermark);
    }

    private static async Task<string> IntegrationReference(IngestionHarness h) =>
        (await h.App.Get<ReviewHub.Integrations.IntegrationStore>().GetAsync(h.World.AccountId, h.World.AppId,
            CancellationToken.None))!.CredentialReference!;
}
