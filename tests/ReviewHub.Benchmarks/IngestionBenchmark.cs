using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Reviews;
using ReviewHub.Secrets;
using ReviewHub.Storage;
using ReviewHub.Tests.Infrastructure;
using ReviewHub.Tests.Reviews;

namespace ReviewHub.Benchmarks;

/// <summary>
/// The whole fetch path — fake App Store Connect over HTTP → fetcher → Azurite tables → notifications queue — for many
/// apps with new reviews, against raw Azure Tables batch inserts of the same rows into the same Azurite; then the
/// requests an idle fetch costs for an app with a long history, and the process's peak working set. Google Play runs as
/// a second source in the same run (fake Play server → the same fetcher → the same tables), against the same raw
/// baseline. Options: --apps N (default 200) --reviews N (500) --history N (10000) --concurrency N (8).
/// </summary>
internal sealed partial class IngestionBenchmark : IBenchmark
{
    public string Name => "ingest";

    public async Task<int> RunAsync(string[] args)
    {
        var apps = Option(args, "--apps", 200);
        var perApp = Option(args, "--reviews", 500);
        var history = Option(args, "--history", 10_000);
        var concurrency = Option(args, "--concurrency", 8);
        Console.WriteLine($"ingest: {apps} apps x {perApp} new reviews, idle app with {history} stored reviews, " +
            $"concurrency {concurrency}");

        await using var asc = new FakeAppStoreConnect { HourlyLimit = 1_000_000 };
        await asc.StartAsync();
        await using var play = new FakeGooglePlay { HourlyReadQuota = 1_000_000 };
        await play.StartAsync();
        var storage = await Azurite.ConnectionStringAsync();
        var counter = new StorageRequestCounter();
        var counted = new TableClientOptions();
        counted.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerCall);
        var queue = new CountingQueue();
        await using var services = BuildServices(storage, asc.BaseAddress, settings: PlaySettings(play), configure: s =>
        {
            s.Replace(ServiceDescriptor.Singleton(new TableServiceClient(storage, counted)));
            var real = s.Single(d => d.ServiceType == typeof(IMessageQueue)).ImplementationType!;
            s.Replace(ServiceDescriptor.Singleton<IMessageQueue>(provider =>
            {
                queue.Inner = (IMessageQueue)ActivatorUtilities.CreateInstance(provider, real);
                return queue;
            }));
        });
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var tables = services.GetRequiredService<TableServiceClient>();
        var key = asc.CreateKey();
        var reference = await services.GetRequiredService<AppStoreConnectCredentialStore>().SaveAsync(
            SecretNames.For("asc", "benchmark"), new AppStoreConnectCredential(key.IssuerId, key.KeyId,
                key.PrivateKeyPem), CancellationToken.None);
        var watermark = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var fetcher = services.GetRequiredService<ReviewFetcher>();
        var notifications = services.GetRequiredService<QueueServiceClient>().GetQueueClient(ReviewQueues.NewReviews);

        // Warm-up of both paths (JIT, connections, Azurite), not measured.
        await FetchAllAsync(fetcher, await PrepareAppsAsync(tables, asc, reference, watermark, concurrency, perApp,
            2_000_000_000L), concurrency);
        await RawInsertAsync(tables, concurrency, perApp, concurrency, watermark);

        // 1. The fetch path.
        var targets = await PrepareAppsAsync(tables, asc, reference, watermark, apps, perApp, 1_000_000_000L);
        await notifications.ClearMessagesAsync();
        var clock = Stopwatch.StartNew();
        var newReviews = await FetchAllAsync(fetcher, targets, concurrency);
        var fetchSeconds = clock.Elapsed.TotalSeconds;
        var queued = (await notifications.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var ingestRate = newReviews / fetchSeconds;
        Console.WriteLine($"fetch path: {newReviews} reviews in {fetchSeconds:F1} s = {ingestRate:F0} reviews/s " +
            $"({queued} notification batches queued)");
        if (newReviews != apps * perApp)
        {
            throw new InvalidOperationException(
                $"Expected {apps * perApp} new reviews, the fetcher stored {newReviews}.");
        }

        // 2. Raw batch inserts of the same rows (review + timeline index row per review) into the same Azurite.
        clock.Restart();
        await RawInsertAsync(tables, apps, perApp, concurrency, watermark);
        var rawSeconds = clock.Elapsed.TotalSeconds;
        var rawRate = apps * perApp / rawSeconds;
        var ratio = ingestRate / rawRate;
        Console.WriteLine($"raw batch inserts: {apps * perApp} reviews in {rawSeconds:F1} s = {rawRate:F0} reviews/s");
        Console.WriteLine($"ratio fetch path / raw inserts: {ratio:F2} (target >= 0.7)");

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var peakBeforeHistoryMb = process.PeakWorkingSet64 / (1024.0 * 1024.0);

        // 3. An idle fetch of an app with a long history: the history is backfilled through the fetcher first (streamed
        // page by page).
        var idle = await CreateAppAsync(tables, reference, watermark: null, storeAppId: "1999999999");
        asc.SetReviews(idle.StoreAppId, FakeAppStoreConnect.GenerateReviews(history, watermark, "hist"));
        var backfill = await fetcher.FetchAsync(new ReviewFetchRequest(idle.AccountId, idle.AppId),
            CancellationToken.None);
        while (backfill.Kind == FetchOutcomeKind.Deferred)
        {
            backfill = await fetcher.FetchAsync(new ReviewFetchRequest(idle.AccountId, idle.AppId),
                CancellationToken.None);
        }
        asc.ClearRequests();
        var (idleFetch, idleCost) = await CountAsync(() => fetcher.FetchAsync(new ReviewFetchRequest(idle.AccountId,
            idle.AppId), CancellationToken.None));
        var idleRequests = asc.Requests.Count(r => r.Path.EndsWith("/customerReviews", StringComparison.Ordinal));
        Console.WriteLine($"idle fetch of an app with {history} stored reviews: {idleRequests} App Store Connect " +
            $"request(s), {idleFetch.NewReviews} new, {idleCost.Table} table requests + {idleCost.Queue} queue " +
            $"messages");

        // 4. A fetch that finds one new review.
        asc.SetReviews(idle.StoreAppId, FakeAppStoreConnect.GenerateReviews(1, watermark.AddDays(1), "one"));
        asc.ClearRequests();
        var (oneFetch, oneCost) = await CountAsync(() => fetcher.FetchAsync(new ReviewFetchRequest(idle.AccountId,
            idle.AppId), CancellationToken.None));
        var oneRequests = asc.Requests.Count(r => r.Path.EndsWith("/customerReviews", StringComparison.Ordinal));
        Console.WriteLine($"fetch with one new review: {oneRequests} App Store Connect request(s), " +
            $"{oneFetch.NewReviews} new, {oneCost.Table} table requests + {oneCost.Queue} queue messages");

        // 5. Google Play as a second source: the same number of Android apps, their first poll, then an idle poll.
        var (playRate, playIdleRequests) = await RunPlayAsync(services, play, apps, perApp, concurrency);
        var playRatio = playRate / rawRate;
        Console.WriteLine($"Google Play fetch path: {playRate:F0} reviews/s, ratio to raw inserts {playRatio:F2}; " +
            $"idle poll: {playIdleRequests} Play request(s)");

        process.Refresh();
        var peakMb = process.PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine($"peak working set: {peakBeforeHistoryMb:F0} MB before the {history}-review backfill, " +
            $"{peakMb:F0} MB after (this process: fetcher, fake App Store Connect holding {apps * perApp + history} " +
            "reviews; Azurite runs apart)");
        // 5. A delivery of one new review to one route of each channel, and a reply (counted as the cost guards count
        // them: tests/ReviewHub.Tests/Reviews/OperationCosts.cs).
        var delivery = await OperationCosts.MeasureDeliveryAsync();
        var reply = await OperationCosts.MeasureReplyAsync();
        var routes = delivery.PerRoute.Values;
        var perDelivery = delivery.FanOut.StorageTransactions / (double)delivery.PerRoute.Count
            + routes.Average(c => c.StorageTransactions);
        Console.WriteLine(string.Join("; ", delivery.PerRoute.Select(p =>
            $"{p.Key} delivery: {p.Value.TableRequests} table requests, {p.Value.OutboundRequests} call")) +
            $"; fan-out: {delivery.FanOut.TableRequests} table requests + {delivery.FanOut.QueueMessages} messages");
        Console.WriteLine($"reply: PUT {reply.Put}; send {reply.Send}; moderation check {reply.ModerationCheck}");
        // Storage transactions = table requests + queue messages; executions = the fetch + one per message it queued.
        // A delivery: per route, its share of the fan-out and its own delivery (averaged over the four channels).
        Console.WriteLine(
            FormattableString.Invariant($"RESULT ingest_ratio={ratio:F2} requests_per_idle_fetch={idleRequests} ") +
            FormattableString.Invariant($"peak_mb={peakMb:F0} ") +
            FormattableString.Invariant($"storage_tx_per_idle_fetch={idleCost.Table + idleCost.Queue} ") +
            FormattableString.Invariant($"executions_per_idle_fetch={1 + idleCost.Queue} ") +
            FormattableString.Invariant($"asc_requests_per_idle_fetch={idleRequests} ") +
            FormattableString.Invariant($"storage_tx_per_new_review_fetch={oneCost.Table + oneCost.Queue} ") +
            FormattableString.Invariant($"executions_per_new_review_fetch={1 + oneCost.Queue} ") +
            FormattableString.Invariant($"asc_requests_per_new_review_fetch={oneRequests} ") +
            FormattableString.Invariant($"storage_tx_per_delivery={perDelivery:F1} ") +
            FormattableString.Invariant($"storage_tx_per_reply={reply.StorageTransactions} ") +
            FormattableString.Invariant($"asc_requests_per_reply={reply.Send.OutboundRequests} ") +
            FormattableString.Invariant(
                $"storage_tx_per_moderation_check={reply.ModerationCheck.StorageTransactions} ") +
            FormattableString.Invariant(
                $"asc_requests_per_moderation_check={reply.ModerationCheck.OutboundRequests} ") +
            FormattableString.Invariant(
                $"play_ingest_ratio={playRatio:F2} play_requests_per_idle_fetch={playIdleRequests}"));
        return 0;

        async Task<(FetchOutcome Outcome, (int Table, int Queue) Cost)> CountAsync(Func<Task<FetchOutcome>> fetch)
        {
            var (tableBefore, queueBefore) = (counter.Count, queue.Sent);
            var outcome = await fetch();
            return (outcome, (counter.Count - tableBefore, queue.Sent - queueBefore));
        }
    }

    /// <summary>Counts the table requests of the app's storage client.</summary>
    private sealed class StorageRequestCounter : Azure.Core.Pipeline.HttpPipelineSynchronousPolicy
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        public override void OnSendingRequest(Azure.Core.HttpMessage message) => Interlocked.Increment(ref count);
    }

    /// <summary>Counts the messages the app sends (each one storage transaction, and one execution of its
    /// trigger).</summary>
    private sealed class CountingQueue : IMessageQueue
    {
        private int sent;

        public IMessageQueue? Inner { get; set; }

        public int Sent => Volatile.Read(ref sent);

        public Task SendAsync<TMessage>(
            string queueName, TMessage message, TimeSpan? visibilityDelay = null,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref sent);
            return Inner!.SendAsync(queueName, message, visibilityDelay, cancellationToken);
        }
    }

    /// <summary>The baseline: the rows the fetcher writes for <paramref name="apps"/> apps, as plain 100-row batch
    /// transactions.</summary>
    private static Task RawInsertAsync(TableServiceClient tables, int apps, int perApp, int concurrency,
        DateTimeOffset watermark)
    {
        var reviewTable = tables.GetTableClient(ReviewTables.Reviews);
        var timelineTable = tables.GetTableClient(ReviewTables.ReviewTimeline);
        return Parallel.ForEachAsync(Enumerable.Range(0, apps).Select(_ => Ids.New()),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (appId, ct) =>
        {
            var reviews = FakeAppStoreConnect.GenerateReviews(perApp, watermark.AddDays(30), appId[..8])
                .Select(r => new FetchedReview(r.Id, r.Rating, r.Title, r.Body, r.ReviewerNickname, r.Territory,
                    r.CreatedDate, null)).ToList();
            foreach (var chunk in reviews.Chunk(100))
            {
                var rows = chunk.Select(r => new ReviewEntity
                {
                    PartitionKey = appId, RowKey = r.Id, AccountId = "raw", Rating = r.Rating, Title = r.Title, Body =
                        r.Body,
                    ReviewerNickname = r.ReviewerNickname, Territory = r.Territory, CreatedAt = r.CreatedAt,
                    Source = ReviewSources.AppStoreConnect, IngestedAt = DateTimeOffset.UtcNow,
                }).ToList();
                await reviewTable.SubmitTransactionAsync(
                    rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct);
                await timelineTable.SubmitTransactionAsync(
                    rows.Select(r => new TableTransactionAction(
                        TableTransactionActionType.Add, ReviewTimelineEntity.For(r))), ct);
            }
        });
    }

    /// <summary>Prepares apps with an active integration and <paramref name="perApp"/> new reviews each in the
    /// fake.</summary>
    private static async Task<List<(string AccountId, string AppId)>> PrepareAppsAsync(
        TableServiceClient tables, FakeAppStoreConnect asc, string reference, DateTimeOffset watermark, int apps,
            int perApp, long firstStoreId)
    {
        var targets = new List<(string AccountId, string AppId)>();
        for (var i = 0; i < apps; i++)
        {
            var target = await CreateAppAsync(tables, reference, watermark, storeAppId: (firstStoreId + i).ToString(
                CultureInfo.InvariantCulture));
            asc.SetReviews(target.StoreAppId, FakeAppStoreConnect.GenerateReviews(perApp, watermark.AddDays(30),
                target.AppId[..8]));
            targets.Add((target.AccountId, target.AppId));
        }
        return targets;
    }

    private static async Task<int> FetchAllAsync(ReviewFetcher fetcher, List<(string AccountId, string AppId)> targets,
        int concurrency)
    {
        var newReviews = 0;
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (t, ct) =>
        {
            var outcome = await fetcher.FetchAsync(new ReviewFetchRequest(t.AccountId, t.AppId), ct);
            if (outcome.Kind != FetchOutcomeKind.Completed)
            {
                throw new InvalidOperationException($"Fetch of {t.AppId} ended {outcome.Kind}: {outcome.Error}");
            }
            Interlocked.Add(ref newReviews, outcome.NewReviews);
        });
        return newReviews;
    }

    /// <summary>The app's real registrations on this Azurite, the fake App Store Connect and fake feed.</summary>
    /// <param name="settings">Settings over the benchmark defaults (a null value removes one).</param>
    /// <param name="configure">Replaces registrations (a fake clock, an in-memory queue).</param>
    internal static ServiceProvider BuildServices(
        string storage, Uri ascBaseAddress, Uri? feedBaseAddress = null, IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
            ["Auth:Issuer"] = "https://login.reviewhub.bench/v2.0",
            ["Auth:Audience"] = "api://reviewhub-bench",
            ["Auth:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(
                32)),
            ["Secrets:LocalDirectory"] = Path.Combine(Path.GetTempPath(), "reviewhub-bench-secrets",
                Guid.NewGuid().ToString("N")),
            ["Email:SendGridApiKey"] = "SG.bench",
            ["Email:FromAddress"] = "bench@reviewhub.test",
            ["Integrations:EmailDomain"] = "integrations.reviewhub.bench", // required since connections are per team
            ["AppStoreConnect:BaseUrl"] = ascBaseAddress.ToString(),
            ["ReviewFetchSchedule"] = "0 */5 * * * *",
            ["Reviews:ApiBudgetReserve"] = "0",
            ["Reviews:BackfillBudgetReserve"] = "0",
            ["Reviews:FeedBaseUrl"] = feedBaseAddress?.ToString() ?? "https://itunes.apple.com",
            ["Reviews:FeedRequestDelay"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                values.Remove(key);
            }
            else
            {
                values[key] = value;
            }
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        services.AddReviewHub(configuration);
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>An app with an active integration whose API watermark is <paramref name="watermark"/> (null: its
    /// history is still to import).</summary>
    private static async Task<(string AccountId, string AppId, string StoreAppId)> CreateAppAsync(
        TableServiceClient tables, string credentialReference, DateTimeOffset? watermark, string storeAppId)
    {
        var accountId = Ids.New();
        var appId = Ids.New();
        await tables.GetTableClient(AppTables.Apps).AddEntityAsync(new AppEntity
        {
            PartitionKey = accountId, RowKey = appId, StoreAppId = storeAppId, Platform = Platforms.Ios, Name = "Bench",
                Territories = "USA",
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await tables.GetTableClient(IntegrationTables.Integrations).AddEntityAsync(new IntegrationEntity
        {
            PartitionKey = accountId, RowKey = appId, Status = nameof(IntegrationStatus.Active), ActiveKind =
                nameof(IntegrationKind.FullAccess), CredentialReference = credentialReference,
        });
        await tables.GetTableClient(IntegrationTables.ConnectionApps).AddEntityAsync(new AppConnectionLinkEntity
        {
            PartitionKey = accountId, RowKey = AppConnectionLinkEntity.Prefix + appId, ConnectionId = appId,
            AscAppId = storeAppId,
        });
        await tables.GetTableClient(ReviewTables.ReviewFetchSchedules).AddEntityAsync(new FetchScheduleEntity
        {
            PartitionKey = accountId, RowKey = appId, Source = ReviewSources.AppStoreConnect,
            ApiWatermark = watermark, BackfillPending = watermark is null, BackfillCompletedAt = watermark is null
                ? null : watermark,
        });
        return (accountId, appId, storeAppId);
    }

    internal static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture)
            : fallback;
    }
}
