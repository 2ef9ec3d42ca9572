using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Reviews;
using ReviewHub.Storage;
using System.Globalization;

namespace ReviewHub.Tests.Delivery;

/// <summary>A test app wired to fake Slack, Zendesk, SendGrid and a webhook receiver, with one member's app and helpers
/// to play the queues.</summary>
internal sealed class DeliveryHarness : FeatureHarness
{
    public const string SlackToken = "xoxb-test-token";
    public const string SlackChannelId = "C0123456789";
    public const string ZendeskEmail = "agent@acme.test";
    public const string ZendeskToken = "zendesk-api-token";

    private DeliveryHarness(FeatureStart start, FakeSlack slack, FakeZendesk zendesk, FakeSendGrid sendGrid,
        FakeWebhookReceiver webhooks, ShiftedClock clock)
        : base(start, slack, zendesk, sendGrid, webhooks)
    {
        Slack = slack;
        Zendesk = zendesk;
        SendGrid = sendGrid;
        Webhooks = webhooks;
        Clock = clock;
    }

    public FakeSlack Slack { get; }
    public FakeZendesk Zendesk { get; }
    public FakeSendGrid SendGrid { get; }
    public FakeWebhookReceiver Webhooks { get; }
    public ShiftedClock Clock { get; }

    public string RoutesPath => $"{World.AppPath}/routes";

    public static async Task<DeliveryHarness> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var slack = new FakeSlack().AddToken(SlackToken).AddChannel(SlackChannelId);
        var zendesk = new FakeZendesk().AddCredential(ZendeskEmail, ZendeskToken);
        var sendGrid = new FakeSendGrid();
        var webhooks = new FakeWebhookReceiver();
        await Task.WhenAll(slack.StartAsync(), zendesk.StartAsync(), sendGrid.StartAsync(), webhooks.StartAsync());
        var values = Overlay(new Dictionary<string, string?>
        {
            ["Delivery:SlackApiBaseUrl"] = new Uri(slack.BaseAddress, "api/").ToString(),
            ["Delivery:ZendeskBaseUrlTemplate"] = zendesk.BaseAddress.ToString(),
            ["Email:SendGridBaseUrl"] = sendGrid.BaseAddress.ToString().TrimEnd('/'),
            ["Email:SendGridApiKey"] = sendGrid.ApiKey,
        }, settings);
        var clock = new ShiftedClock();
        var start = await StartAppAsync(values, clock, configure);
        // The owner follows their link, so owner notices go out.
        await ConfirmedEmails.ConfirmAllAsync(start.App, sendGrid);
        return new DeliveryHarness(start, slack, zendesk, sendGrid, webhooks, clock);
    }

    /// <summary>Creates a route through the API; email recipients then confirm their addresses, as people do.</summary>
    public async Task<RouteResponse> AddRouteAsync(object body)
    {
        var created = await App.Host.PostAsync(RoutesPath, World.Token, body);
        Assert.True(created.Status == 201, created.ToString());
        await ConfirmedEmails.ConfirmAllAsync(App, SendGrid);
        return created.As<RouteResponse>();
    }

    public Task<RouteResponse> AddSlackRouteAsync(object? filters = null, string token = SlackToken) =>
        AddRouteAsync(new { channel = "slack", target = SlackChannelId, slackBotToken = token, filters });

    public Task<RouteResponse> AddZendeskRouteAsync(object? filters = null) =>
        AddRouteAsync(new { channel = "zendesk", target = "acme", zendeskEmail = ZendeskEmail, zendeskApiToken =
            ZendeskToken, filters });

    public Task<RouteResponse> AddEmailRouteAsync(object? filters = null) =>
        AddRouteAsync(new { channel = "email", target = "team@customer.test, lead@customer.test", filters });

    public async Task<RouteResponse> AddWebhookRouteAsync(object? filters = null, string path = "hooks/reviews")
    {
        var route = await AddRouteAsync(new { channel = "webhook", target = Webhooks.UrlFor(path), filters });
        Webhooks.SetSecret(path, route.SigningSecret!);
        return route;
    }

    /// <summary>Stores reviews as ingestion would and returns their ids (newest first).</summary>
    public async Task<IReadOnlyList<string>> SeedReviewsAsync(int count, int rating = 2, string territory = "USA",
        bool backfilled = false, string? body = null)
    {
        var table = App.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);
            await table.AddEntityAsync(new ReviewEntity
            {
                PartitionKey = World.AppId,
                RowKey = id,
                AccountId = World.AccountId,
                Rating = rating,
                Title = $"Review {i}",
                Body = body ?? $"Body of review {i}",
                ReviewerNickname = "reader",
                Territory = territory,
                CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-i),
                IngestedAt = DateTimeOffset.UtcNow,
                Backfilled = backfilled,
            });
            ids.Add(id);
        }
        return ids;
    }

    public NewReviewsBatch Batch(IReadOnlyList<string> ids, bool backfill = false) =>
        new(World.AccountId, World.AppId, Ids.New(), backfill, ids);

    public Task FanOutAsync(NewReviewsBatch batch) =>
        ActivatorUtilities.CreateInstance<DeliveryFunctions>(App.Services).FanOutNewReviews(batch,
            CancellationToken.None);

    public IReadOnlyList<DeliveryWork> TakeWork() => App.Queue.Take<DeliveryWork>(DeliveryQueues.Deliveries);

    public Task DeliverAsync(DeliveryWork work) => App.Get<RouteDeliverer>().DeliverAsync(work, CancellationToken.None);

    /// <summary>Fans a batch out and delivers every unit of work once, as the host would when nothing fails.</summary>
    public async Task DeliverBatchAsync(NewReviewsBatch batch)
    {
        await FanOutAsync(batch);
        foreach (var work in TakeWork())
        {
            await DeliverAsync(work);
        }
    }

    public Task<DeliveryEntity?> LedgerRowAsync(string routeId, string reviewId) =>
        App.Get<DeliveryLedger>().GetAsync(World.AppId, routeId, reviewId, CancellationToken.None);

    public async Task<RouteResponse> GetRouteAsync(string routeId)
    {
        var list = await App.Host.GetAsync(RoutesPath, World.Token);
        return list.Json.GetProperty("items").EnumerateArray()
            .Select(e => System.Text.Json.JsonSerializer.Deserialize<RouteResponse>(e.GetRawText(),
                ReviewHub.Json.ReviewHubJson.Options)!)
            .Single(r => r.RouteId == routeId);
    }
}

/// <summary>The system clock, shifted forward on demand (to let claim leases expire without waiting).</summary>
internal sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
