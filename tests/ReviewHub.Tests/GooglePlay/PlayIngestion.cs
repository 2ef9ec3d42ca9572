using Azure.Data.Tables;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;
using ReviewHub.Reviews;

namespace ReviewHub.Tests.GooglePlay;

/// <summary>
/// The whole app against a fake Google Play on a shared clock: an account with an Android app registered through the
/// API and, unless asked otherwise, its service account provisioned and granted the app.
/// </summary>
internal sealed class PlayIngestion : FeatureHarness
{
    public const string Package = "com.acme.notes";

    private PlayIngestion(FeatureStart start, FakeGooglePlay play, ShiftedPlayClock clock, string appId)
        : base(start, play)
    {
        Play = play;
        Clock = clock;
        AppId = appId;
    }

    public FakeGooglePlay Play { get; }
    public ShiftedPlayClock Clock { get; }

    /// <summary>The Android app's id (the world's own app is an iOS app).</summary>
    public string AppId { get; }

    public FakeGoogleServiceAccount? ServiceAccount { get; private set; }

    public string AppPath => $"{World.AccountPath}/apps/{AppId}";

    public ReviewFetchRequest Request => new(World.AccountId, AppId);

    public static async Task<PlayIngestion> StartAsync(
        IDictionary<string, string?>? settings = null, bool provision = true, bool grant = true)
    {
        var clock = new ShiftedPlayClock();
        var play = new FakeGooglePlay { Clock = clock };
        await play.StartAsync();
        var values = Overlay(new Dictionary<string, string?>
        {
            ["GooglePlay:BaseUrl"] = play.BaseAddress.ToString(),
            ["GooglePlay:TokenUrl"] = play.TokenUrl.ToString(),
        }, settings);
        var start = await StartAppAsync(values, clock);
        var created = await start.App.Host.PostAsync($"{start.World.AccountPath}/apps", start.World.Token,
            new { storeAppId = Package, platform = "android", name = "Acme Android" });
        Assert.True(created.Status == 201, created.ToString());
        play.AddApp(Package);
        var h = new PlayIngestion(start, play, clock, created.As<AppResponse>().AppId);
        if (provision)
        {
            await h.ProvisionAsync(grant);
        }
        return h;
    }

    /// <summary>
    /// An operator stores the account's service-account key and the connection was verified (the flow itself is
    /// <see cref="PlayConnectionTests"/>'); Play grants the app to it, or no longer does (revoked since).
    /// </summary>
    public async Task ProvisionAsync(bool grant)
    {
        ServiceAccount = Play.CreateServiceAccount();
        await App.Get<GooglePlayServiceAccounts>().SaveAsync(World.AccountId, ServiceAccount.KeyJson,
            CancellationToken.None);
        var connections = App.Get<PlayConnectionStore>();
        await connections.RecordServiceAccountAsync(World.AccountId, ServiceAccount.ClientEmail,
            CancellationToken.None);
        await connections.UpdateAsync(World.AccountId, r =>
        {
            (r.Status, r.VerifiedAt) = (nameof(PlayConnectionStatus.Active), Clock.GetUtcNow());
            return true;
        }, CancellationToken.None);
        Play.SetGrant(ServiceAccount.ClientEmail, Package, grant ? FakePlayGrant.Granted : FakePlayGrant.Denied);
    }

    /// <summary>"I fixed it": the health check finds the grant back and returns the connection to Active.</summary>
    public Task<PlayHealthOutcome> CheckConnectionAsync() =>
        App.Get<PlayConnectionHealth>().CheckAsync(World.AccountId, CancellationToken.None);

    public Task<FetchOutcome> FetchAsync() => App.Get<ReviewFetcher>().FetchAsync(Request, CancellationToken.None);

    public int ListRequests() => Play.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/reviews",
        StringComparison.Ordinal));

    public async Task<ReviewEntity> StoredAsync(string reviewId) =>
        (await App.Get<ReviewStore>().GetAsync(AppId, reviewId, CancellationToken.None))!;

    public async Task<int> StoredCountAsync()
    {
        var table = App.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(r => r.PartitionKey == AppId, select: ["RowKey"]))
        {
            count++;
        }
        return count;
    }

    public async Task<FetchScheduleEntity> ScheduleAsync() =>
        (await App.Get<FetchScheduler>().GetAsync(World.AccountId, AppId, CancellationToken.None))!;

    public IReadOnlyList<NewReviewsBatch> TakeBatches() => App.Queue.Take<NewReviewsBatch>(ReviewQueues.NewReviews);
}
