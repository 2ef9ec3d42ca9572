using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.AppStoreConnect;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Replies;
using ReviewHub.Reviews;
using ReviewHub.Secrets;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Replies;

/// <summary>Rows the reply API needs, seeded directly like ingestion and the integration setup would write
/// them.</summary>
internal static class ReplySeeds
{
    public const string ReviewId = "00000028-b08c-0014-729e-fbd500000000";

    public static string ReplyPath(TestWorld world, string reviewId = ReviewId) =>
        $"{world.AppPath}/reviews/{reviewId}/reply";

    public static Task ReviewAsync(TestApp app, TestWorld world, string reviewId = ReviewId, string? responseId = null,
        string? accountId = null) =>
        app.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews).UpsertEntityAsync(new ReviewEntity
        {
            PartitionKey = world.AppId,
            RowKey = reviewId,
            AccountId = accountId ?? world.AccountId,
            Rating = 2,
            Title = "Crashes",
            Body = "It crashes when I open a note.",
            Territory = "USA",
            CreatedAt = DateTimeOffset.UtcNow.AddDays(-1),
            Source = ReviewSources.AppStoreConnect,
            ResponseId = responseId,
        });

    public static Task IntegrationAsync(
        TestApp app, TestWorld world, IntegrationKind kind = IntegrationKind.FullAccess, IntegrationStatus status =
            IntegrationStatus.Active,
        string? credentialReference = null) =>
        TestConnections.SaveAsync(app.Services, new IntegrationEntity
        {
            PartitionKey = world.AccountId,
            RowKey = world.AppId,
            Kind = kind.ToString(),
            Status = status.ToString(),
            ActiveKind = status == IntegrationStatus.Active ? kind.ToString() : null,
            IntegrationEmail = "integration@reviewhub.test",
            CredentialReference = credentialReference,
        });

    /// <summary>A review with an active integration: what a member needs to reply.</summary>
    public static async Task RepliableAsync(TestApp app, TestWorld world)
    {
        await ReviewAsync(app, world);
        await IntegrationAsync(app, world);
    }

    /// <summary>A repliable review whose reply the member has just written (still queued).</summary>
    public static async Task RepliedAsync(TestApp app, TestWorld world)
    {
        await RepliableAsync(app, world);
        var put = await app.Host.PutAsync(ReplyPath(world), world.Token, new { body = "Thanks!" });
        Assert.True(put.Status == 202, put.ToString());
    }
}

/// <summary>A member's app with one review, an active integration whose key the fake App Store Connect accepts, and
/// helpers to play the queue.</summary>
internal sealed class ReplyScenario : IAsyncDisposable
{
    private ReplyScenario(FakeAppStoreConnect asc, TestApp app, TestWorld world)
    {
        Asc = asc;
        App = app;
        World = world;
    }

    public FakeAppStoreConnect Asc { get; }
    public TestApp App { get; }
    public TestWorld World { get; }
    public string ReviewId => ReplySeeds.ReviewId;
    public string ReplyPath => ReplySeeds.ReplyPath(World);

    public static async Task<ReplyScenario> StartAsync(
        IDictionary<string, string?>? settings = null, IntegrationKind kind = IntegrationKind.FullAccess,
        string? responseId = null,
        string storageName = "reply-moderation", Action<IServiceCollection>? configure = null)
    {
        var asc = new FakeAppStoreConnect();
        await asc.StartAsync();
        // The moderation timer scans the in-flight index of every app: this class gets its own storage.
        var storage = await Azurite.IsolatedConnectionStringAsync(storageName);
        var values = new Dictionary<string, string?>
        {
            ["AppStoreConnect:BaseUrl"] = asc.BaseAddress.ToString(),
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            values[name] = value;
        }
        var app = await TestApp.StartAsync(values, configure);
        var world = await TestWorld.CreateAsync(app);

        var key = asc.CreateKey();
        var reference = await app.Get<AppStoreConnectCredentialStore>().SaveAsync(SecretNames.For("asc",
            world.AccountId, world.AppId),
            new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem), CancellationToken.None);
        await ReplySeeds.ReviewAsync(app, world, responseId: responseId);
        await ReplySeeds.IntegrationAsync(app, world, kind, credentialReference: reference);
        asc.SeedReviewForResponses(ReplySeeds.ReviewId);
        return new ReplyScenario(asc, app, world);
    }

    public Task<TestResponse> PutAsync(string body, string reviewId = ReplySeeds.ReviewId) =>
        App.Host.PutAsync(ReplySeeds.ReplyPath(World, reviewId), World.Token, new { body });

    /// <summary>Another review of the same app, known to App Store Connect.</summary>
    public async Task AddReviewAsync(string reviewId)
    {
        await ReplySeeds.ReviewAsync(App, World, reviewId);
        Asc.SeedReviewForResponses(reviewId);
    }

    public Task<TestResponse> DeleteAsync() => App.Host.DeleteAsync(ReplyPath, World.Token);

    /// <summary>The review reaches the app's routes as a new review would (fan-out, then each route's delivery).
    /// </summary>
    public async Task AnnounceReviewAsync()
    {
        var batch = new NewReviewsBatch(World.AccountId, World.AppId, Ids.New(), false, [ReviewId]);
        await ActivatorUtilities.CreateInstance<DeliveryFunctions>(App.Services).FanOutNewReviews(batch,
            CancellationToken.None);
        foreach (var work in App.Queue.Take<DeliveryWork>(DeliveryQueues.Deliveries))
        {
            await App.Get<RouteDeliverer>().DeliverAsync(work, CancellationToken.None);
        }
    }

    public async Task<ReplyResponse> StateAsync()
    {
        var response = await App.Host.GetAsync(ReplyPath, World.Token);
        Assert.True(response.Status == 200, response.ToString());
        return response.As<ReplyResponse>();
    }

    public async Task<IReadOnlyList<ReplyVersionResponse>> HistoryAsync()
    {
        var response = await App.Host.GetAsync($"{ReplyPath}/history", World.Token);
        Assert.True(response.Status == 200, response.ToString());
        return response.Json.GetProperty("items").Deserialize<List<ReplyVersionResponse>>(
            ReviewHub.Json.ReviewHubJson.Options)!;
    }

    public ReplySender Sender => App.Get<ReplySender>();

    /// <summary>
    /// Takes what was sent to the reply queue and runs the sender on this app's messages until the queue is empty;
    /// returns how many ran. (The timer may re-queue other tests' stale replies: the index is shared on this Azurite.)
    /// </summary>
    public async Task<int> PlayQueueAsync(int limit = 20)
    {
        var played = 0;
        while (App.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends) is { Count: > 0 } messages)
        {
            foreach (var message in messages.Where(m => m.AppId == World.AppId))
            {
                Assert.True(++played <= limit, "The reply queue does not drain.");
                await Sender.SendAsync(message, CancellationToken.None);
            }
        }
        return played;
    }

    /// <summary>The moderation tracker, seeing the clock <paramref name="ahead"/> of now (the HTTP client keeps real
    /// time for its tokens).</summary>
    public ReplyModerationTracker Tracker(TimeSpan ahead) =>
        ActivatorUtilities.CreateInstance<ReplyModerationTracker>(App.Services, new ShiftedClock(ahead));

    /// <summary>Plays another sender holding the reply's lease since <paramref name="at"/>.</summary>
    public Task ClaimAsync(int version, DateTimeOffset at) => App.Get<ReplyStore>().UpdateAsync(World.AppId, ReviewId,
        reply =>
    {
        reply.ClaimedVersion = version;
        reply.ClaimedAt = at;
        return true;
    }, CancellationToken.None);

    public Task<ReplyEntity?> RowAsync() => App.Get<ReplyStore>().GetAsync(World.AppId, ReviewId,
        CancellationToken.None);

    public async Task<ReviewEntity> ReviewAsync() =>
        (await App.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews).GetEntityAsync<ReviewEntity>(
            World.AppId, ReviewId)).Value;

    /// <summary>The review's entry in the in-flight index, if any.</summary>
    public async Task<PendingReplyEntity?> IndexEntryAsync()
    {
        var entry = await App.Get<TableServiceClient>().GetTableClient(ReplyTables.ReplyPending)
            .GetEntityIfExistsAsync<PendingReplyEntity>(World.AppId, ReviewId);
        return entry.HasValue ? entry.Value : null;
    }

    public async Task<bool> IsTrackedAsPendingAsync() => (await IndexEntryAsync())?.Stage == nameof(
        ReplyStatus.PendingPublish);

    public IReadOnlyList<RecordedRequest> ResponseCalls(string method) =>
        Asc.Requests.Where(r => r.Method == method && r.Path.StartsWith("/v1/customerReviewResponses",
            StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        // The pending index is shared by every test on this Azurite: leave nothing for other tests' trackers.
        await App.Get<ReplyStore>().PurgeAppAsync(World.AppId, CancellationToken.None);
        await App.DisposeAsync();
        await Asc.DisposeAsync();
    }
}

internal sealed class ShiftedClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
