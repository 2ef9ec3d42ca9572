using Microsoft.Extensions.DependencyInjection;
using Azure.Data.Tables;
using ReviewHub.AppStoreConnect;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Reviews;
using System.Globalization;

namespace ReviewHub.Tests.Reviews;

/// <summary>A test app wired to a fake App Store Connect and a fake review feed, with one registered app (territories
/// USA, GBR).</summary>
internal sealed class IngestionHarness : FeatureHarness
{
    private IngestionHarness(FeatureStart start, FakeAppStoreConnect asc, FakeReviewFeed feed, string storeAppId)
        : base(start, asc, feed)
    {
        Asc = asc;
        Feed = feed;
        StoreAppId = storeAppId;
    }

    public FakeAppStoreConnect Asc { get; }
    public FakeReviewFeed Feed { get; }
    public string StoreAppId { get; }

    public ReviewFetcher Fetcher => App.Get<ReviewFetcher>();
    public ReviewFetchRequest Request => new(World.AccountId, World.AppId);

    /// <param name="clock">The app's and Apple's clock, for tests that move time; the system clock otherwise.</param>
    /// <param name="configure">Replaces registrations (e.g. a storage client that counts its requests).</param>
    public static async Task<IngestionHarness> StartAsync(
        IDictionary<string, string?>? settings = null, TimeProvider? clock = null,
        Action<IServiceCollection>? configure = null)
    {
        var asc = new FakeAppStoreConnect { Clock = clock ?? TimeProvider.System };
        var feed = new FakeReviewFeed();
        await asc.StartAsync();
        await feed.StartAsync();
        var values = Overlay(new Dictionary<string, string?>
        {
            ["AppStoreConnect:BaseUrl"] = asc.BaseAddress.ToString(),
            ["Reviews:FeedBaseUrl"] = feed.BaseAddress.ToString(),
        }, settings);
        var storeAppId = Random.Shared.NextInt64(100_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);
        var start = await StartAppAsync(values, clock, configure, storeAppId);
        return new IngestionHarness(start, asc, feed, storeAppId);
    }

    /// <summary>Registers an API key for the app, marks its integration active and tells ingestion, like the
    /// integration feature does.</summary>
    /// <summary>The connection <see cref="ActivateIntegrationAsync"/> seeds: its id is the app's (one app, one
    /// team).</summary>
    public string ConnectionId => World.AppId;

    public string IntegrationPath => $"{World.AccountPath}/connections/{ConnectionId}";

    public Task<IntegrationEntity?> ConnectionAsync() =>
        App.Get<IntegrationStore>().GetConnectionAsync(World.AccountId, ConnectionId, CancellationToken.None);

    public async Task<FakeAppStoreConnectKey> ActivateIntegrationAsync(FakeAppStoreConnectKey? key = null)
    {
        key ??= Asc.CreateKey();
        var reference = await App.Get<AppStoreConnectCredentialStore>().SaveAsync(
            IntegrationCredentials.SecretName(World.AccountId, World.AppId),
            new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem), CancellationToken.None);
        await MatchingRun.ActivateAsync(App.Services, World.AccountId, World.AppId, reference);
        return key;
    }

    public Task<FetchOutcome> FetchAsync(ReviewFetchRequest? request = null) => Fetcher.FetchAsync(request ?? Request,
        CancellationToken.None);

    public Task<FetchOutcome> FetchUntilCompletedAsync() => MatchingRun.FetchUntilCompletedAsync(Fetcher, Request);

    public async Task<List<ReviewEntity>> StoredReviewsAsync()
    {
        var table = App.Get<TableServiceClient>().GetTableClient(ReviewTables.Reviews);
        var rows = new List<ReviewEntity>();
        await foreach (var row in table.QueryAsync<ReviewEntity>(r => r.PartitionKey == World.AppId))
        {
            rows.Add(row);
        }
        return rows;
    }

    public async Task<int> TimelineCountAsync()
    {
        var table = App.Get<TableServiceClient>().GetTableClient(ReviewTables.ReviewTimeline);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(r => r.PartitionKey == World.AppId, select: ["RowKey"]))
        {
            count++;
        }
        return count;
    }

    public async Task<FetchScheduleEntity> ScheduleAsync() =>
        (await App.Get<FetchScheduler>().GetAsync(World.AccountId, World.AppId, CancellationToken.None))!;

    public IReadOnlyList<NewReviewsBatch> TakeBatches() => App.Queue.Take<NewReviewsBatch>(ReviewQueues.NewReviews);

    public IReadOnlyList<ReviewFetchRequest> TakeFetches() => App.Queue.Take<ReviewFetchRequest>(
        ReviewQueues.ReviewFetches);

    public IReadOnlyList<RecordedRequest> ReviewRequests() => Asc.Requests.Where(r =>
        r.Path.EndsWith("/customerReviews", StringComparison.Ordinal)).ToList();
}
