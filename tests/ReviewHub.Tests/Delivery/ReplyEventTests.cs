using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Replies;
using ReviewHub.Reviews;
using ReviewHub.Tests.Replies;
using StandardWebhooks;

namespace ReviewHub.Tests.Delivery;

/// <summary>
/// A reply's life told to the routes that subscribe: sent, overdue, published, failed (with the reason) and outdated
/// reach a webhook (versioned types, verified with the official Standard Webhooks library), a Slack thread under the
/// review's message and a comment on the review's Zendesk ticket (solved when published) — once each, with every
/// queue message processed twice; subscriptions are validated and nothing else is sent.
/// </summary>
public sealed class ReplyEventTests
{
    private const string SlackToken = "xoxb-reply-events";
    private const string SlackChannel = "C0REPLYEVT";
    private const string ZendeskEmail = "agent@acme.test";
    private const string ZendeskToken = "zendesk-reply-events";

    private sealed class Harness : IAsyncDisposable
    {
        public required ReplyScenario Scenario { get; init; }
        public required FakeSlack Slack { get; init; }
        public required FakeZendesk Zendesk { get; init; }
        public required FakeWebhookReceiver Webhooks { get; init; }
        public Dictionary<string, string> Secrets { get; } = [];

        public TestApp App => Scenario.App;
        public TestWorld World => Scenario.World;

        public static async Task<Harness> StartAsync()
        {
            var slack = new FakeSlack().AddToken(SlackToken).AddChannel(SlackChannel);
            var zendesk = new FakeZendesk().AddCredential(ZendeskEmail, ZendeskToken);
            var webhooks = new FakeWebhookReceiver();
            await Task.WhenAll(slack.StartAsync(), zendesk.StartAsync(), webhooks.StartAsync());
            var scenario = await ReplyScenario.StartAsync(new Dictionary<string, string?>
            {
                ["Delivery:SlackApiBaseUrl"] = new Uri(slack.BaseAddress, "api/").ToString(),
                ["Delivery:ZendeskBaseUrlTemplate"] = zendesk.BaseAddress.ToString(),
                ["Delivery:AllowInsecureWebhooks"] = "true",
            });
            return new Harness { Scenario = scenario, Slack = slack, Zendesk = zendesk, Webhooks = webhooks };
        }

        public async Task<RouteResponse> AddRouteAsync(object body)
        {
            var created = await App.Host.PostAsync($"{World.AppPath}/routes", World.Token, body);
            Assert.True(created.Status == 201, created.ToString());
            return created.As<RouteResponse>();
        }

        public async Task AddWebhookAsync(string path, string[] events)
        {
            var route = await AddRouteAsync(
                new { channel = "webhook", target = Webhooks.UrlFor(path), replyEvents = events });
            Webhooks.SetSecret(path, route.SigningSecret!);
            Secrets["/" + path] = route.SigningSecret!;
        }

        /// <summary>The review reaches the routes as a new review would (Slack message, Zendesk ticket, webhook).
        /// </summary>
        public Task AnnounceReviewAsync() => Scenario.AnnounceReviewAsync();

        /// <summary>Plays the reply-events queue with every message handled twice (a duplicate delivery); returns
        /// how many messages it took.</summary>
        public async Task<int> PlayEventsAsync()
        {
            var played = 0;
            var deliverer = App.Get<ReplyEventDeliverer>();
            while (App.Queue.Take<ReplyEventMessage>(DeliveryQueues.ReplyEvents) is { Count: > 0 } messages)
            {
                foreach (var message in messages)
                {
                    Assert.True(++played <= 200, "The reply-events queue does not drain.");
                    await deliverer.HandleAsync(message, CancellationToken.None);
                    await deliverer.HandleAsync(message, CancellationToken.None);
                }
            }
            return played;
        }

        /// <summary>The reply events a webhook path received, in order (new reviews reach it too).</summary>
        public IReadOnlyList<string> WebhookTypes(string path) => Webhooks.Received.Where(w => w.Path == "/" + path)
            .Select(w => JsonDocument.Parse(w.Body).RootElement.GetProperty("type").GetString()!)
            .Where(t => t.StartsWith("reply.", StringComparison.Ordinal)).ToList();

        public async ValueTask DisposeAsync()
        {
            await Scenario.DisposeAsync();
            await Task.WhenAll(Slack.DisposeAsync().AsTask(), Zendesk.DisposeAsync().AsTask(),
                Webhooks.DisposeAsync().AsTask());
        }
    }

    [Fact]
    public async Task A_reply_life_reaches_each_subscribed_channel_once_though_every_message_comes_twice()
    {
        await using var h = await Harness.StartAsync();
        string[] all = ["sent", "published", "failed", "overdue", "outdated"];
        await h.AddWebhookAsync("hooks/all", all);
        await h.AddWebhookAsync("hooks/published", ["published"]);
        await h.AddWebhookAsync("hooks/none", []);
        await h.AddRouteAsync(
            new { channel = "slack", target = SlackChannel, slackBotToken = SlackToken, replyEvents = all });
        await h.AddRouteAsync(new
        {
            channel = "zendesk", target = "acme", zendeskEmail = ZendeskEmail, zendeskApiToken = ZendeskToken,
            replyEvents = all,
        });
        await h.AnnounceReviewAsync();
        var reviewMessage = Assert.Single(h.Slack.Messages);
        var ticket = Assert.Single(h.Zendesk.Tickets);

        // Sent: App Store Connect accepted the reply.
        Assert.Equal(202, (await h.Scenario.PutAsync("Thanks, fixed in 2.1!")).Status);
        await h.Scenario.PlayQueueAsync();
        Assert.True(await h.PlayEventsAsync() > 0);
        // Overdue: still pending past the moderation window; checked twice, told once.
        await h.Scenario.Tracker(TimeSpan.FromHours(12.5)).CheckAsync(CancellationToken.None);
        await h.Scenario.Tracker(TimeSpan.FromHours(13)).CheckAsync(CancellationToken.None);
        await h.PlayEventsAsync();
        // Published.
        h.Scenario.Asc.PublishResponse(h.Scenario.ReviewId);
        await h.Scenario.Tracker(TimeSpan.FromHours(14)).CheckAsync(CancellationToken.None);
        await h.PlayEventsAsync();
        // Outdated: the reviewer edits the review afterwards (seen by ingestion; told once however often it is seen).
        await h.App.Get<ReplyStore>().MarkOutdatedAsync(h.World.AppId, h.Scenario.ReviewId, DateTimeOffset.UtcNow,
            CancellationToken.None);
        await h.App.Get<ReplyStore>().MarkOutdatedAsync(h.World.AppId, h.Scenario.ReviewId, DateTimeOffset.UtcNow,
            CancellationToken.None);
        await h.PlayEventsAsync();

        Assert.Equal(["reply.sent.v1", "reply.overdue.v1", "reply.published.v1", "reply.outdated.v1"],
            h.WebhookTypes("hooks/all"));
        Assert.Equal(["reply.published.v1"], h.WebhookTypes("hooks/published"));
        Assert.Empty(h.WebhookTypes("hooks/none"));
        Assert.Equal(0, h.Webhooks.Rejected);
        foreach (var webhook in h.Webhooks.Received)
        {
            // The official library accepts every one of them, as a customer's receiver would.
            new StandardWebhook(h.Secrets[webhook.Path]).Verify(webhook.Body, new HeaderDictionary
            {
                ["webhook-id"] = webhook.Id,
                ["webhook-timestamp"] = webhook.Timestamp.ToString(CultureInfo.InvariantCulture),
                ["webhook-signature"] = webhook.Signature,
            });
        }
        var published = JsonDocument.Parse(h.Webhooks.Received.Single(w => w.Path == "/hooks/published"
            && w.Body.Contains("reply.published.v1", StringComparison.Ordinal)).Body).RootElement.GetProperty("data");
        Assert.Equal(h.Scenario.ReviewId, published.GetProperty("reviewId").GetString());
        Assert.Equal("published", published.GetProperty("reply").GetProperty("status").GetString());
        Assert.Equal("Thanks, fixed in 2.1!", published.GetProperty("reply").GetProperty("body").GetString());
        Assert.Equal(1, published.GetProperty("reply").GetProperty("version").GetInt32());

        // Slack: four replies in the review message's thread.
        var thread = h.Slack.Messages.Where(m => m.ThreadTs is not null).ToList();
        Assert.Equal(4, thread.Count);
        Assert.All(thread, m => Assert.Equal(reviewMessage.Ts, m.ThreadTs));
        Assert.Contains("published on the App Store", thread[2].Text);

        // Zendesk: four private comments on the review's ticket; the published one solves it.
        Assert.Equal(4, h.Zendesk.Updates.Count);
        Assert.All(h.Zendesk.Updates, u => Assert.Equal(ticket.Id, u.TicketId));
        Assert.All(h.Zendesk.Updates, u => Assert.False(u.Public));
        Assert.Equal([null, null, "solved", null], h.Zendesk.Updates.Select(u => u.Status));
        Assert.Equal("solved", h.Zendesk.StatusOf(ticket.Id));
    }

    [Fact]
    public async Task A_failed_reply_tells_its_reason_and_a_failing_receiver_gets_the_event_once_after_its_retry()
    {
        await using var h = await Harness.StartAsync();
        await h.AddWebhookAsync("hooks/failures", ["failed"]);
        h.Scenario.Asc.Fail(new InjectedFault(403, FakeAppStoreConnect.ErrorBody(403, "FORBIDDEN_ERROR", "Refused.")),
            match: r => r.Method == "POST");
        Assert.Equal(202, (await h.Scenario.PutAsync("Thanks!")).Status);
        await h.Scenario.PlayQueueAsync();

        // The receiver is down for the first attempt: the claim is released and the host retries the message.
        h.Webhooks.Fail(new InjectedFault(500), times: 4);
        var deliverer = h.App.Get<ReplyEventDeliverer>();
        var fanOut = Assert.Single(h.App.Queue.Take<ReplyEventMessage>(DeliveryQueues.ReplyEvents));
        await deliverer.HandleAsync(fanOut, CancellationToken.None);
        var toRoute = Assert.Single(h.App.Queue.Take<ReplyEventMessage>(DeliveryQueues.ReplyEvents));
        await Assert.ThrowsAsync<ChannelException>(() => deliverer.HandleAsync(toRoute, CancellationToken.None));
        Assert.Empty(h.Webhooks.Received);
        h.Webhooks.ClearFaults();
        await deliverer.HandleAsync(toRoute, CancellationToken.None);
        await deliverer.HandleAsync(toRoute, CancellationToken.None);

        var data = JsonDocument.Parse(Assert.Single(h.Webhooks.Received).Body).RootElement;
        Assert.Equal("reply.failed.v1", data.GetProperty("type").GetString());
        var reply = data.GetProperty("data").GetProperty("reply");
        Assert.Equal("roleMissing", reply.GetProperty("failureCode").GetString());
        Assert.False(string.IsNullOrEmpty(reply.GetProperty("failureReason").GetString()));
    }

    [Fact]
    public async Task Reply_event_subscriptions_are_validated_and_changed_per_route()
    {
        await using var h = await Harness.StartAsync();
        var path = $"{h.World.AppPath}/routes";
        var hook = h.Webhooks.UrlFor("x");
        foreach (var (body, field) in new (object, string)[]
        {
            (new { channel = "webhook", target = hook, replyEvents = new[] { "created" } }, "replyEvents"),
            (new { channel = "webhook", target = hook, replyEvents = new[] { "sent", "sent" } }, "replyEvents"),
            (new { channel = "webhook", target = hook, replyEvents = new[] { "Published" } }, "replyEvents"),
            (new { channel = "email", target = "team@acme.test", replyEvents = new[] { "sent" } }, "replyEvents"),
        })
        {
            var refused = await h.App.Host.PostAsync(path, h.World.Token, body);
            Assert.Equal(400, refused.Status);
            Assert.Equal("application/problem+json", refused.ContentType);
            Assert.True(refused.Json.GetProperty("errors").TryGetProperty(field, out _), refused.ToString());
        }
        Assert.Empty((await h.App.Host.GetAsync(path, h.World.Token)).Json.GetProperty("items").EnumerateArray());

        var route = await h.AddRouteAsync(new { channel = "webhook", target = h.Webhooks.UrlFor("y") });
        Assert.Empty(route.ReplyEvents);
        var bad = await h.App.Host.PatchAsync($"{path}/{route.RouteId}", h.World.Token,
            new { replyEvents = new[] { "deleted" } });
        Assert.Equal(400, bad.Status);
        var changed = await h.App.Host.PatchAsync($"{path}/{route.RouteId}", h.World.Token,
            new { replyEvents = new[] { "published", "failed" } });
        Assert.True(changed.Status == 200, changed.ToString());
        Assert.Equal(["published", "failed"], changed.As<RouteResponse>().ReplyEvents);
        var listed = (await h.App.Host.GetAsync(path, h.World.Token)).Json.GetProperty("items")[0];
        Assert.Equal(["published", "failed"],
            listed.GetProperty("replyEvents").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_reviewer_edit_seen_by_ingestion_makes_the_reply_outdated_once()
    {
        await using var h = await Harness.StartAsync();
        var store = h.App.Get<ReviewStore>();
        var reviewId = "00000028-b08c-0014-729e-fbd5000e0e0e";
        var original = new FetchedReview(reviewId, 2, "Crashes", "It crashes on start", "dana", "USA",
            DateTimeOffset.UtcNow.AddDays(-1), null);
        await store.SaveAsync(h.World.AccountId, h.World.AppId, ReviewSources.AppStoreConnect, [original],
            NewReviewRule.Incremental(null), CancellationToken.None);
        h.Scenario.Asc.SeedReviewForResponses(reviewId);
        Assert.Equal(202, (await h.Scenario.PutAsync("Sorry! Fixed in 2.1.", reviewId)).Status);
        h.App.Queue.Take<ReplyEventMessage>(DeliveryQueues.ReplyEvents);

        // The same review again, unchanged: nothing. Then edited (new rating and text), seen twice: outdated once.
        await store.SaveAsync(h.World.AccountId, h.World.AppId, ReviewSources.AppStoreConnect, [original],
            NewReviewRule.Incremental(null), CancellationToken.None);
        Assert.Empty(h.App.Queue.Take<ReplyEventMessage>(DeliveryQueues.ReplyEvents));
        var edited = original with { Rating = 5, Body = "Works now, thanks!" };
        for (var i = 0; i < 2; i++)
        {
            await store.SaveAsync(h.World.AccountId, h.World.AppId, ReviewSources.AppStoreConnect, [edited],
                NewReviewRule.Incremental(null), CancellationToken.None);
        }

        var events = h.App.Queue.Take<ReplyEventMessage>(DeliveryQueues.ReplyEvents);
        Assert.Equal(ReplyEventKind.Outdated, Assert.Single(events).Kind);
        var row = await store.GetAsync(h.World.AppId, reviewId, CancellationToken.None);
        Assert.Equal((5, "Works now, thanks!"), (row!.Rating, row.Body));
        var reply = await h.App.Get<ReplyStore>().GetAsync(h.World.AppId, reviewId, CancellationToken.None);
        Assert.NotNull(reply!.OutdatedAt);
    }

    /// <summary>Google Play dates an edit (lastModified); an hourly poll sees it later. A reply written in between
    /// answers the edited text: neither the review nor the reply is outdated (the month simulation found the reply
    /// marked with the poll's time while the review said otherwise).</summary>
    [Fact]
    public async Task A_reply_written_after_an_edit_but_before_a_fetch_saw_it_is_not_outdated()
    {
        await using var h = await Harness.StartAsync();
        var store = h.App.Get<ReviewStore>();
        var reviewId = "00000029-b08c-0014-729e-fbd5000e0e0f";
        var original = new FetchedReview(reviewId, 2, "Crashes", "It crashes on start", "dana", "USA",
            DateTimeOffset.UtcNow.AddDays(-1), null, UserModifiedAt: DateTimeOffset.UtcNow.AddDays(-1));
        await store.SaveAsync(h.World.AccountId, h.World.AppId, ReviewSources.AppStoreConnect, [original],
            NewReviewRule.Incremental(null), CancellationToken.None);
        h.Scenario.Asc.SeedReviewForResponses(reviewId);
        var editedAt = DateTimeOffset.UtcNow.AddSeconds(-30); // before the reply below
        Assert.Equal(202, (await h.Scenario.PutAsync("Glad 2.1 fixed it!", reviewId)).Status);
        h.App.Queue.Take<ReplyEventMessage>(DeliveryQueues.ReplyEvents);

        await store.SaveAsync(h.World.AccountId, h.World.AppId, ReviewSources.AppStoreConnect,
            [original with { Rating = 5, Body = "Works now", UserModifiedAt = editedAt }],
            NewReviewRule.Incremental(null), CancellationToken.None);

        Assert.Empty(h.App.Queue.Take<ReplyEventMessage>(DeliveryQueues.ReplyEvents));
        var row = await store.GetAsync(h.World.AppId, reviewId, CancellationToken.None);
        Assert.Equal((5, false), (row!.Rating, row.ReplyOutdated));
        var reply = await h.App.Get<ReplyStore>().GetAsync(h.World.AppId, reviewId, CancellationToken.None);
        Assert.Null(reply!.OutdatedAt);
    }

    /// <summary>A reply written before the reviewer's edit but sent after it (held while the connection was degraded,
    /// or slow) answers the old text: the reply and the review say outdated alike. The review used to judge by the
    /// reply's last change (the send), and said the opposite of the reply.</summary>
    [Fact]
    public async Task A_reply_written_before_an_edit_and_sent_after_it_is_outdated_on_the_review_and_the_reply()
    {
        await using var h = await Harness.StartAsync();
        var store = h.App.Get<ReviewStore>();
        var reviewId = "00000029-b08c-0014-729e-fbd5000e0e10";
        var original = new FetchedReview(reviewId, 2, "Crashes", "It crashes on start", "dana", "USA",
            DateTimeOffset.UtcNow.AddDays(-1), null, UserModifiedAt: DateTimeOffset.UtcNow.AddDays(-1));
        await store.SaveAsync(h.World.AccountId, h.World.AppId, ReviewSources.AppStoreConnect, [original],
            NewReviewRule.Incremental(null), CancellationToken.None);
        h.Scenario.Asc.SeedReviewForResponses(reviewId);
        Assert.Equal(202, (await h.Scenario.PutAsync("Sorry, we are on it.", reviewId)).Status);
        var editedAt = DateTimeOffset.UtcNow.AddMilliseconds(1); // after the reply was written, before it is sent
        await Task.Delay(TimeSpan.FromMilliseconds(20));
        await h.Scenario.PlayQueueAsync();
        var sent = await h.App.Get<ReplyStore>().GetAsync(h.World.AppId, reviewId, CancellationToken.None);
        Assert.True(sent!.UpdatedAt > editedAt, "the send is after the edit");

        await store.SaveAsync(h.World.AccountId, h.World.AppId, ReviewSources.AppStoreConnect,
            [original with { Rating = 5, Body = "Works now", UserModifiedAt = editedAt }],
            NewReviewRule.Incremental(null), CancellationToken.None);

        var reply = await h.App.Get<ReplyStore>().GetAsync(h.World.AppId, reviewId, CancellationToken.None);
        var row = await store.GetAsync(h.World.AppId, reviewId, CancellationToken.None);
        Assert.Equal((editedAt, true), (reply!.OutdatedAt, row!.ReplyOutdated));
    }

    /// <summary>Queue messages are written with the app's JSON options and bound by the worker's serializer (no enum
    /// converter): the message must survive that trip (the month simulation found an enum that did not).</summary>
    [Fact]
    public void A_reply_event_message_survives_the_queue_and_the_worker_binding()
    {
        var message = new ReplyEventMessage("account", "app", "review", ReplyEventTypes.Name(ReplyEventKind.Published),
            DateTimeOffset.UtcNow, new ReplySnapshot(2, "publish", "published", "Thanks!", "user", null,
                DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, null, null), "route", 1);
        var json = JsonSerializer.Serialize(message, ReviewHub.Json.ReviewHubJson.Options);

        var bound = Simulation.FunctionInvoker.BindQueueMessage<ReplyEventMessage>(json);

        Assert.Equal(ReplyEventKind.Published, bound.Kind);
        Assert.Equal(message.EventKey, bound.EventKey);
        Assert.Equal(message.Reply, bound.Reply);
    }
}
