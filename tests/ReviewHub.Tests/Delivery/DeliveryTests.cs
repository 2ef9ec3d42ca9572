using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Http;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Delivery;

public sealed class DeliveryTests
{
    [Fact]
    public async Task A_new_review_reaches_every_matching_route_exactly_once_even_when_every_message_arrives_twice()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var slack = await h.AddSlackRouteAsync();
        await h.AddZendeskRouteAsync();
        await h.AddEmailRouteAsync();
        await h.AddWebhookRouteAsync();
        var ids = await h.SeedReviewsAsync(1, rating: 1, body: "Crashes on launch <!channel> & more");
        var batch = h.Batch(ids);

        await h.FanOutAsync(batch);
        await h.FanOutAsync(batch); // the new-reviews message redelivered
        var work = h.TakeWork();
        Assert.Equal(8, work.Count);
        foreach (var item in work.Concat(work))
        {
            await h.DeliverAsync(item); // every delivery message processed twice
        }

        var message = Assert.Single(h.Slack.Messages);
        Assert.Contains("★☆☆☆☆", message.BlocksJson);
        Assert.Contains(
            $"https://app.reviewhub.test/accounts/{h.World.AccountId}/apps/{h.World.AppId}/reviews/{ids[0]}",
            message.BlocksJson);
        Assert.Contains("&lt;!channel&gt; &amp; more",
            JsonDocument.Parse(message.BlocksJson).RootElement[1].GetProperty("text").GetProperty("text").GetString());
        var ticket = Assert.Single(h.Zendesk.Tickets);
        Assert.Equal(["reviewhub", "rating_1", "store_appstore", "territory_usa"], ticket.Tags);
        Assert.Equal($"reviewhub-{h.World.AppId}-{ids[0]}", ticket.ExternalId);
        var email = Assert.Single(h.SendGrid.Emails);
        Assert.Equal(["team@customer.test", "lead@customer.test"], email.To);
        Assert.Contains("Crashes on launch", email.PlainText);
        Assert.Contains("Crashes on launch &lt;!channel&gt; &amp; more", email.Html);
        var hook = Assert.Single(h.Webhooks.Received);
        Assert.Equal(0, h.Webhooks.Rejected);
        var payload = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("review.created", payload.GetProperty("type").GetString());
        Assert.Equal(ids[0], payload.GetProperty("data").GetProperty("reviewId").GetString());
        var row = await h.LedgerRowAsync(slack.RouteId, ids[0]);
        Assert.Equal(nameof(DeliveryState.Delivered), row!.State);
        Assert.Equal(message.Ts, row.ExternalId);
    }

    [Fact]
    public async Task Filters_decide_which_routes_get_which_reviews()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var lowGbr = await h.AddSlackRouteAsync(new { ratings = new[] { 1, 2 }, territories = new[] { "GBR" } });
        var fiveStars = await h.AddWebhookRouteAsync(new { ratings = new[] { 5 } });
        var usaLow = await h.SeedReviewsAsync(1, rating: 1, territory: "USA");
        var gbrLow = await h.SeedReviewsAsync(1, rating: 2, territory: "GBR");
        var gbrHigh = await h.SeedReviewsAsync(1, rating: 5, territory: "GBR");

        await h.FanOutAsync(h.Batch([.. usaLow, .. gbrLow, .. gbrHigh]));
        var work = h.TakeWork();

        Assert.Equal(gbrLow, Assert.Single(work, w => w.RouteId == lowGbr.RouteId).ReviewIds);
        Assert.Equal(gbrHigh, Assert.Single(work, w => w.RouteId == fiveStars.RouteId).ReviewIds);
        foreach (var item in work)
        {
            await h.DeliverAsync(item);
        }
        Assert.Contains(gbrLow[0], Assert.Single(h.Slack.Messages).BlocksJson);
        Assert.Contains(gbrHigh[0], Assert.Single(h.Webhooks.Received).Body);
    }

    [Fact]
    public async Task A_route_whose_filters_match_nothing_gets_no_work_and_disabled_routes_get_none()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await h.AddSlackRouteAsync(new { territories = new[] { "FRA" } });
        await h.AddRouteAsync(new { channel = "email", target = "team@customer.test", enabled = false });

        await h.FanOutAsync(h.Batch(await h.SeedReviewsAsync(2)));

        Assert.Empty(h.TakeWork());
    }

    [Fact]
    public async Task Above_the_digest_threshold_slack_gets_one_digest_while_zendesk_still_gets_a_ticket_per_review()
    {
        await using var h = await DeliveryHarness.StartAsync(
            new Dictionary<string, string?> { ["Delivery:DigestThreshold"] = "3" });
        await h.AddSlackRouteAsync();
        await h.AddZendeskRouteAsync();
        await h.AddEmailRouteAsync();

        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(3)));
        Assert.Equal(3, h.Slack.Messages.Count);
        Assert.Single(h.SendGrid.Emails);

        var burst = await h.SeedReviewsAsync(14);
        await h.DeliverBatchAsync(h.Batch(burst));

        Assert.Equal(4, h.Slack.Messages.Count);
        var digest = h.Slack.Messages[^1];
        Assert.Equal("14 new reviews of Acme Notes", digest.Text);
        Assert.Contains("…and 4 more", digest.BlocksJson);
        Assert.Equal(17, h.Zendesk.Tickets.Count);
        Assert.Equal(2, h.SendGrid.Emails.Count);
        Assert.Equal(14, burst.Count(id => h.SendGrid.Emails[^1].PlainText!.Contains(id)));
    }

    [Fact]
    public async Task Backfilled_reviews_are_not_notified()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await h.AddSlackRouteAsync();

        await h.FanOutAsync(h.Batch(await h.SeedReviewsAsync(3), backfill: true));
        Assert.Empty(h.TakeWork());

        var fresh = await h.SeedReviewsAsync(1);
        var old = await h.SeedReviewsAsync(1, backfilled: true);
        await h.DeliverBatchAsync(h.Batch([.. fresh, .. old]));

        var message = Assert.Single(h.Slack.Messages);
        Assert.Contains(fresh[0], message.BlocksJson);
    }

    [Fact]
    public async Task Concurrent_workers_on_the_same_work_send_each_review_once()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await h.AddSlackRouteAsync();
        await h.AddZendeskRouteAsync();
        await h.AddWebhookRouteAsync();
        await h.AddEmailRouteAsync();
        var ids = await h.SeedReviewsAsync(4);
        await h.FanOutAsync(h.Batch(ids));
        var work = h.TakeWork();

        await Task.WhenAll(Enumerable.Range(0,
            4).SelectMany(_ => work).Select(item => Task.Run(() => h.DeliverAsync(item))));
        // Workers that found pairs in flight postponed them; play those follow-ups once the others finished.
        foreach (var deferred in h.TakeWork())
        {
            await h.DeliverAsync(deferred);
        }

        Assert.Equal(4, h.Slack.Messages.Count);
        Assert.Equal(ids.Order(), h.Slack.Messages.Select(m => ids.Single(id => m.BlocksJson.Contains(id))).Order());
        Assert.Equal(4, h.Zendesk.Tickets.Select(t => t.ExternalId).Distinct().Count());
        Assert.Equal(4, h.Zendesk.Tickets.Count);
        Assert.Equal(4, h.Webhooks.Received.Count);
        Assert.Equal(4, h.SendGrid.Emails.Sum(e => ids.Count(id => e.PlainText!.Contains(id))));
    }

    [Fact]
    public async Task Slack_429_with_retry_after_is_retried_and_delivered_once()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await h.AddSlackRouteAsync();
        h.Slack.Fail(FakeSlack.RateLimited(1), times: 1);

        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(1)));

        Assert.Single(h.Slack.Messages);
        Assert.Equal(2, h.Slack.Requests.Count);
    }

    [Fact]
    public async Task A_rate_limit_beyond_the_retry_budget_postpones_the_work_instead_of_failing_it()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddZendeskRouteAsync();
        var ids = await h.SeedReviewsAsync(1);
        await h.FanOutAsync(h.Batch(ids));
        var work = Assert.Single(h.TakeWork());
        h.Zendesk.Fail(FakeZendesk.TooManyRequests(1), times: 4);

        await h.DeliverAsync(work);

        Assert.Empty(h.Zendesk.Tickets);
        Assert.Equal(nameof(DeliveryState.Failed), (await h.LedgerRowAsync(route.RouteId, ids[0]))!.State);
        var later = Assert.Single(h.TakeWork());
        Assert.Equal(1, later.Deferrals);
        await h.DeliverAsync(later);
        Assert.Single(h.Zendesk.Tickets);
    }

    public static TheoryData<string> Channels => new() { "slack", "zendesk", "webhook", "email" };

    private static readonly Dictionary<string, string?> ShortTimeouts = new()
    {
        ["Delivery:ChannelTimeout"] = "00:00:01",
        ["Email:Timeout"] = "00:00:01",
    };

    /// <summary>A route on <paramref name="channel"/>, its fake service, and how many messages that service
    /// accepted.</summary>
    private static async Task<(RouteResponse Route, FakeHttpServer Server,
        Func<int> Delivered)> AddRouteAsync(DeliveryHarness h, string channel) =>
        channel switch
        {
            "slack" => (await h.AddSlackRouteAsync(), h.Slack, () => h.Slack.Messages.Count),
            "zendesk" => (await h.AddZendeskRouteAsync(), h.Zendesk, () => h.Zendesk.Tickets.Count),
            "webhook" => (await h.AddWebhookRouteAsync(), h.Webhooks, () => h.Webhooks.Received.Count),
            _ => (await h.AddEmailRouteAsync(), h.SendGrid, () => h.SendGrid.Emails.Count),
        };

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task Server_errors_and_timeouts_fail_the_work_for_a_retry_and_release_the_claim(string channel)
    {
        await using var h = await DeliveryHarness.StartAsync(ShortTimeouts);
        var (route, server, delivered) = await AddRouteAsync(h, channel);
        var ids = await h.SeedReviewsAsync(1);
        await h.FanOutAsync(h.Batch(ids));
        var work = Assert.Single(h.TakeWork());

        // Zendesk and webhooks are retried by the HTTP client (keyed: Idempotency-Key, webhook-id), so an attempt fails
        // after four requests; Slack and SendGrid posts are not idempotent and are never repeated by the client after a
        // 5xx or timeout.
        var requestsPerAttempt = channel is "slack" or "email" ? 1 : 4;
        server.Fail(new InjectedFault(500, """{"errors":[{"message":"internal server error"}]}"""),
            times: requestsPerAttempt);
        await Assert.ThrowsAsync<ChannelException>(() => h.DeliverAsync(work));
        server.Fail(InjectedFault.Timeout(TimeSpan.FromSeconds(10)), times: requestsPerAttempt);
        await Assert.ThrowsAsync<ChannelException>(() => h.DeliverAsync(work));
        Assert.Equal(2 * requestsPerAttempt, server.Requests.Count); // nothing posted twice by the client

        var row = await h.LedgerRowAsync(route.RouteId, ids[0]);
        Assert.Equal(nameof(DeliveryState.Failed), row!.State);
        Assert.Equal(2, row.Attempts);
        Assert.Equal(0, delivered());
        Assert.Equal("active", (await h.GetRouteAsync(route.RouteId)).Status);

        await h.DeliverAsync(work); // the host's next retry, after the outage
        await h.DeliverAsync(work);
        Assert.Equal(1, delivered());
        Assert.Equal(2 * requestsPerAttempt + 1, server.Requests.Count);
    }

    /// <summary>How each channel's service says "slow down, come back in <paramref name="seconds"/>".</summary>
    private static InjectedFault RateLimit(string channel, int seconds) => channel switch
    {
        "slack" => FakeSlack.RateLimited(seconds),
        "zendesk" => FakeZendesk.TooManyRequests(seconds),
        "webhook" => FakeWebhookReceiver.TooManyRequests(seconds),
        _ => FakeSendGrid.TooManyRequests(seconds), // X-RateLimit-Reset, no Retry-After
    };

    [Theory]
    [MemberData(nameof(Channels))]
    public async Task A_long_retry_after_returns_at_once_and_defers_the_work_by_it_through_the_queue(string channel)
    {
        await using var h = await DeliveryHarness.StartAsync();
        var (route, server, delivered) = await AddRouteAsync(h, channel);
        var ids = await h.SeedReviewsAsync(1);
        await h.FanOutAsync(h.Batch(ids));
        var work = Assert.Single(h.TakeWork());
        server.ClearRequests();
        server.Fail(RateLimit(channel, 25));

        var watch = Stopwatch.StartNew();
        await h.DeliverAsync(work);
        watch.Stop();

        var inProcessLimit = h.App.Get<IOptions<OutboundHttpOptions>>().Value.MaxRetryAfterWait;
        Assert.True(watch.Elapsed < inProcessLimit, $"The worker was held {watch.Elapsed} (limit {inProcessLimit}).");
        Assert.Single(server.Requests); // not retried in process
        Assert.Equal(0, delivered());
        var (later, delay) = Assert.Single(h.App.Queue.SentWithDelays<DeliveryWork>(DeliveryQueues.Deliveries));
        Assert.Equal(1, later.Deferrals);
        Assert.Equal(ids, later.ReviewIds);
        // SendGrid's reset is an epoch second read against the answer's Date header, which Kestrel refreshes once a
        // second: two whole-second clocks, so the wait may read a second long.
        Assert.InRange(delay!.Value.TotalSeconds, 23, 26);
        Assert.Equal(nameof(DeliveryState.Failed), (await h.LedgerRowAsync(route.RouteId, ids[0]))!.State);

        h.TakeWork();
        await h.DeliverAsync(later); // the queue hands it back once the delay is over
        Assert.Equal(1, delivered());
        Assert.Equal(nameof(DeliveryState.Delivered), (await h.LedgerRowAsync(route.RouteId, ids[0]))!.State);
        Assert.Empty(h.TakeWork());
    }

    [Fact]
    public async Task A_rate_limit_that_outlasts_the_deferral_budget_fails_the_work_into_the_host_retry_and_poison()
    {
        await using var h = await DeliveryHarness.StartAsync(
            new Dictionary<string, string?> { ["Delivery:MaxDeferrals"] = "2" });
        var route = await h.AddSlackRouteAsync();
        var ids = await h.SeedReviewsAsync(1);
        await h.FanOutAsync(h.Batch(ids));
        var work = Assert.Single(h.TakeWork());
        h.Slack.Fail(FakeSlack.RateLimited(600), times: 3);

        await h.DeliverAsync(work);
        var second = Assert.Single(h.TakeWork());
        await h.DeliverAsync(second);
        var third = Assert.Single(h.TakeWork());
        Assert.Equal(2, third.Deferrals);
        var failure = await Assert.ThrowsAsync<ChannelException>(() => h.DeliverAsync(third));

        Assert.Equal(TimeSpan.FromSeconds(600), failure.RetryAfter);
        Assert.Empty(h.TakeWork()); // the host retries the message, then poisons it; a replay resumes it
        Assert.Equal(nameof(DeliveryState.Failed), (await h.LedgerRowAsync(route.RouteId, ids[0]))!.State);
        await h.DeliverAsync(third); // a retry or replay after the limit lifted
        Assert.Single(h.Slack.Messages);
    }

    public static TheoryData<string> JsonChannels => new() { "slack", "zendesk" };

    [Theory]
    [MemberData(nameof(JsonChannels))]
    public async Task A_2xx_whose_body_is_not_json_is_a_retryable_channel_failure_not_a_crash(string channel)
    {
        await using var h = await DeliveryHarness.StartAsync();
        var (route, server, delivered) = await AddRouteAsync(h, channel);
        var proxyPage = new InjectedFault(200, "<html><body>Welcome to the captive portal</body></html>");

        server.Fail(proxyPage);
        var test = await h.App.Host.PostAsync($"{h.RoutesPath}/{route.RouteId}/test", h.World.Token);
        Assert.True(test.Status == 502, test.ToString());

        var ids = await h.SeedReviewsAsync(1);
        await h.FanOutAsync(h.Batch(ids));
        var work = Assert.Single(h.TakeWork());
        server.Fail(proxyPage);
        await Assert.ThrowsAsync<ChannelException>(() => h.DeliverAsync(work));
        Assert.Equal(nameof(DeliveryState.Failed), (await h.LedgerRowAsync(route.RouteId, ids[0]))!.State);
        Assert.Equal("active", (await h.GetRouteAsync(route.RouteId)).Status);

        await h.DeliverAsync(work); // the host's retry
        Assert.Equal(1, delivered());
    }

    [Fact]
    public async Task One_broken_channel_never_blocks_the_others_and_a_replay_delivers_only_what_was_missing()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var slack = await h.AddSlackRouteAsync();
        await h.AddZendeskRouteAsync();
        await h.AddWebhookRouteAsync();
        var ids = await h.SeedReviewsAsync(2);
        await h.FanOutAsync(h.Batch(ids));
        h.Slack.Fail(FakeSlack.ServerError(), times: 1000);

        var poisoned = new List<DeliveryWork>();
        foreach (var work in h.TakeWork())
        {
            // The host tries each message up to maxDequeueCount times, then moves it to the poison queue.
            for (var attempt = 1; attempt <= 5; attempt++)
            {
                try
                {
                    await h.DeliverAsync(work);
                    break;
                }
                catch (ChannelException) when (attempt == 5)
                {
                    poisoned.Add(work);
                }
                catch (ChannelException)
                {
                }
            }
        }
        Assert.Equal(2, h.Zendesk.Tickets.Count);
        Assert.Equal(2, h.Webhooks.Received.Count);
        Assert.Equal(slack.RouteId, Assert.Single(poisoned).RouteId);

        // Poison holds the very message, with route and review ids. Also poison a copy of an already delivered unit.
        var poison = h.App.Get<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient(
            PoisonQueues.NameFor(DeliveryQueues.Deliveries));
        await poison.SendMessageAsync(JsonSerializer.Serialize(poisoned[0], ReviewHub.Json.ReviewHubJson.Options));
        var zendeskWork = new DeliveryWork(h.World.AccountId, h.World.AppId,
            (await h.App.Get<RouteStore>().ListAsync(h.World.AppId, default))
            .Single(r => r.Channel == "Zendesk").RouteId, "b", ids);
        await poison.SendMessageAsync(JsonSerializer.Serialize(zendeskWork, ReviewHub.Json.ReviewHubJson.Options));
        h.Slack.ClearFaults();

        var operatorToken = TestTokens.For(h.World.UserId, isOperator: true);
        var replayed = new List<DeliveryWork>();
        for (var round = 0; round < 10 && replayed.Count < 2; round++)
        {
            if (round > 0)
            {
                await Task.Delay(200); // a concurrent replay (another test's app) may hold our messages for a moment
            }
            var response = await h.App.Host.PostAsync("/api/operators/poison/deliveries/replay", operatorToken,
                new { appId = h.World.AppId });
            Assert.Equal(200, response.Status);
            replayed.AddRange(h.App.Queue.Take<JsonElement>(DeliveryQueues.Deliveries)
                .Select(e => e.Deserialize<DeliveryWork>(ReviewHub.Json.ReviewHubJson.Options)!));
        }
        Assert.Equal(2, replayed.Count);
        foreach (var work in replayed)
        {
            await h.DeliverAsync(work);
        }

        Assert.Equal(2, h.Slack.Messages.Count);
        Assert.Equal(2, h.Zendesk.Tickets.Count);
        Assert.Equal(2, h.Webhooks.Received.Count);
    }

    [Fact]
    public async Task A_claimed_but_unsent_review_is_taken_over_after_its_lease_not_lost_and_not_sent_twice()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddSlackRouteAsync();
        var ids = await h.SeedReviewsAsync(1);
        await h.FanOutAsync(h.Batch(ids));
        var work = Assert.Single(h.TakeWork());
        // A worker claimed the pair and crashed before sending.
        var crashed = await h.App.Get<DeliveryLedger>().TryClaimAsync(h.World.AppId, route.RouteId, ids[0],
            work.BatchId, default);
        Assert.Equal(ClaimOutcome.Claimed, crashed.Outcome);

        await h.DeliverAsync(work); // the redelivered message finds it in flight: nothing sent, looks again later
        Assert.Empty(h.Slack.Messages);
        var later = Assert.Single(h.TakeWork());
        Assert.Equal(ids, later.ReviewIds);

        h.Clock.Offset = TimeSpan.FromMinutes(3); // the crashed worker's lease ran out
        await h.DeliverAsync(later);
        await h.DeliverAsync(later);

        Assert.Single(h.Slack.Messages);
        var row = await h.LedgerRowAsync(route.RouteId, ids[0]);
        Assert.Equal(nameof(DeliveryState.Delivered), row!.State);
        Assert.Equal(2, row.Attempts);
    }

    public static TheoryData<string> BrokenCases =>
        new() { "slack-invalid-token", "slack-channel-gone", "zendesk-401", "webhook-410" };

    [Theory]
    [MemberData(nameof(BrokenCases))]
    public async Task A_refused_credential_breaks_the_route_and_tells_the_owner_once_instead_of_retrying(string kind)
    {
        await using var h = await DeliveryHarness.StartAsync();
        RouteResponse route;
        switch (kind)
        {
            case "slack-invalid-token":
                route = await h.AddSlackRouteAsync(token: "xoxb-revoked");
                break;
            case "slack-channel-gone":
                route = await h.AddRouteAsync(new { channel = "slack", target = "C9999999999",
                    slackBotToken = DeliveryHarness.SlackToken });
                break;
            case "zendesk-401":
                route = await h.AddRouteAsync(new { channel = "zendesk", target = "acme",
                    zendeskEmail = "agent@acme.test", zendeskApiToken = "wrong" });
                break;
            default:
                route = await h.AddWebhookRouteAsync();
                h.Webhooks.Fail(new InjectedFault(410), times: 1);
                break;
        }

        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(1)));
        var requests = h.Slack.Requests.Count + h.Zendesk.Requests.Count + h.Webhooks.Requests.Count;
        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(1)));

        var shown = await h.GetRouteAsync(route.RouteId);
        Assert.Equal("broken", shown.Status);
        Assert.False(string.IsNullOrEmpty(shown.BrokenReason));
        var notice = Assert.Single(h.SendGrid.Emails);
        Assert.Equal([$"owner-{h.World.UserId[..8]}@customer.test"], notice.To);
        Assert.StartsWith("Action needed", notice.Subject);
        Assert.Equal(1, requests); // one refused call, no retries
        Assert.Equal(requests, h.Slack.Requests.Count + h.Zendesk.Requests.Count + h.Webhooks.Requests.Count);
    }

    [Fact]
    public async Task Updating_a_broken_route_with_a_new_token_repairs_it()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddSlackRouteAsync(token: "xoxb-revoked");
        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(1)));
        Assert.Equal("broken", (await h.GetRouteAsync(route.RouteId)).Status);

        var updated = await h.App.Host.PatchAsync($"{h.RoutesPath}/{route.RouteId}", h.World.Token,
            new { slackBotToken = DeliveryHarness.SlackToken });
        Assert.Equal(200, updated.Status);
        Assert.Equal("active", updated.As<RouteResponse>().Status);
        var fresh = await h.SeedReviewsAsync(1);
        await h.DeliverBatchAsync(h.Batch(fresh));

        Assert.Contains(fresh[0], Assert.Single(h.Slack.Messages).BlocksJson);
    }

    [Fact]
    public async Task An_email_outage_postpones_the_digest_and_it_is_sent_once_when_sendgrid_recovers()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await h.AddEmailRouteAsync();
        await h.FanOutAsync(h.Batch(await h.SeedReviewsAsync(2)));
        var work = Assert.Single(h.TakeWork());
        h.SendGrid.Fail(FakeSendGrid.TooManyRequests(), times: 4);

        await h.DeliverAsync(work);
        Assert.Empty(h.SendGrid.Emails);
        var later = Assert.Single(h.TakeWork());
        await h.DeliverAsync(later);
        await h.DeliverAsync(work);

        Assert.Single(h.SendGrid.Emails);
    }

    [Fact]
    public async Task Work_for_a_deleted_route_or_removed_app_is_dropped()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddSlackRouteAsync();
        await h.FanOutAsync(h.Batch(await h.SeedReviewsAsync(1)));
        var work = Assert.Single(h.TakeWork());

        Assert.Equal(204, (await h.App.Host.DeleteAsync($"{h.RoutesPath}/{route.RouteId}", h.World.Token)).Status);
        await h.DeliverAsync(work);

        Assert.Empty(h.Slack.Requests);
    }

    [Fact]
    public async Task Removing_the_app_purges_routes_secrets_and_the_ledger()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var route = await h.AddSlackRouteAsync();
        var ids = await h.SeedReviewsAsync(1);
        await h.DeliverBatchAsync(h.Batch(ids));
        var stored = (await h.App.Get<RouteStore>().ListAsync(h.World.AppId, default)).Single();

        foreach (var purger in h.App.Services.GetServices<ReviewHub.Apps.IAppDataPurger>())
        {
            await purger.PurgeAsync(h.World.AccountId, h.World.AppId, default);
            await purger.PurgeAsync(h.World.AccountId, h.World.AppId, default); // idempotent
        }

        Assert.Empty(await h.App.Get<RouteStore>().ListAsync(h.World.AppId, default));
        Assert.Null(await h.App.Get<ReviewHub.Secrets.ISecretStore>().GetAsync(stored.SecretReference!, default));
        Assert.Null(await h.LedgerRowAsync(route.RouteId, ids[0]));
    }

    [Fact]
    public async Task The_test_message_reports_success_or_the_channels_refusal_without_breaking_the_route()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var good = await h.AddSlackRouteAsync();
        var bad = await h.AddZendeskRouteAsync();
        h.Zendesk.Fail(new InjectedFault(401, """{"error":"Couldn't authenticate you"}"""), times: 1);

        var ok = await h.App.Host.PostAsync($"{h.RoutesPath}/{good.RouteId}/test", h.World.Token);
        var refused = await h.App.Host.PostAsync($"{h.RoutesPath}/{bad.RouteId}/test", h.World.Token);

        Assert.Equal(200, ok.Status);
        Assert.Equal(Assert.Single(h.Slack.Messages).Ts, ok.As<TestMessageResponse>().ExternalId);
        Assert.Equal(502, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType);
        Assert.Equal("active", (await h.GetRouteAsync(bad.RouteId)).Status);
        Assert.Empty(h.SendGrid.Emails);
    }

    [Fact]
    public async Task A_webhook_whose_host_resolves_to_a_private_address_is_never_called_and_breaks_the_route()
    {
        await using var h = await DeliveryHarness.StartAsync(
            new Dictionary<string, string?> { ["Delivery:AllowInsecureWebhooks"] = "false" });
        // Saved before (or re-pointed after) validation: only the connect-time check stands between the route and our
        // network.
        var (route, secret) = await h.App.Get<RouteStore>().CreateAsync(h.World.AccountId, h.World.AppId,
            DeliveryChannel.Webhook,
            new CreateRouteRequest("webhook", null, h.Webhooks.UrlFor("internal"), null, true, null, null, null),
            default);
        h.Webhooks.SetSecret("internal", secret!);

        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(1)));

        Assert.Empty(h.Webhooks.Requests);
        Assert.Equal("broken", (await h.GetRouteAsync(route.RouteId)).Status);
    }

    [Fact]
    public async Task Pacing_keeps_a_burst_under_slacks_per_channel_limit()
    {
        await using var h = await DeliveryHarness.StartAsync(
            new Dictionary<string, string?> { ["Delivery:SlackMessageInterval"] = "00:00:01" });
        h.Slack.EnforceRateLimit = true; // burst of 3, then one per second, else 429
        await h.AddSlackRouteAsync();

        await h.DeliverBatchAsync(h.Batch(await h.SeedReviewsAsync(5)));

        Assert.Equal(5, h.Slack.Messages.Count);
        Assert.Equal(5, h.Slack.Requests.Count); // no request was refused
    }

    [Fact]
    public async Task A_long_pacing_line_postpones_the_rest_instead_of_holding_claims()
    {
        await using var h = await DeliveryHarness.StartAsync(
            new Dictionary<string, string?> { ["Delivery:SlackMessageInterval"] = "00:01:00" });
        var route = await h.AddSlackRouteAsync();
        var ids = await h.SeedReviewsAsync(2);

        await h.DeliverBatchAsync(h.Batch(ids));

        Assert.Single(h.Slack.Messages);
        var later = Assert.Single(h.TakeWork());
        Assert.Equal(1, later.Deferrals);
        Assert.Equal(nameof(DeliveryState.Failed), (await h.LedgerRowAsync(route.RouteId, ids[1]))!.State);
    }
}
