using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Json;
using ReviewHub.Reviews;
using ReviewHub.Storage;
using ReviewHub.Tests.Infrastructure;

namespace ReviewHub.Benchmarks;

/// <summary>
/// One simulated day (after a warm-up) of integrated apps on a fake clock, fixed hourly intervals against adaptive
/// ones. The real timer (<see cref="FetchScheduler"/>), interval rule and fetcher run against Azurite and the fake App
/// Store Connect over HTTP (its hourly budget per key, JWT checks); the clock jumps from timer tick to timer tick
/// (every 5 minutes) and every fetch queued by then runs at that instant. Reviews appear in the fake at Poisson
/// times; latency is from a review's appearance to the <c>new-reviews</c> message that names it.
/// Arrival rates are heavy-tailed: reviews a day per app ~ Pareto(x_min = 0.5, alpha = 1), capped at 5,000 (about 2 %
/// of apps get 24 or more a day, and they bring most of the reviews). Apps share keys in teams of 10.
/// Every review also shows in the fake public feed (storefront us) <c>--feed-lag-min</c> after it appears in App Store
/// Connect; the feed probe (<see cref="FeedProbeReviewSource"/>) reads it between the hourly API fetches.
/// Runs: <c>hourly</c> (fixed hourly API fetches), <c>probe</c> (adaptive with the feed probe: API hourly, feed in
/// between), <c>api</c> (adaptive without the probe: every slot an API fetch). The RESULT line reports the probe run
/// (or the api run when the probe run is not asked for).
/// Options: --apps N (1000) --warmup-hours N (6) --seed N (17) --concurrency N (8) --feed-lag-min N (5)
/// --runs hourly,probe[,api].
/// </summary>
internal sealed class FreshnessBenchmark : IBenchmark
{
    private const int AppsPerKey = 10;
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    public string Name => "freshness";

    public async Task<int> RunAsync(string[] args)
    {
        var apps = IngestionBenchmark.Option(args, "--apps", 1000);
        var warmup = TimeSpan.FromHours(IngestionBenchmark.Option(args, "--warmup-hours", 6));
        var seed = IngestionBenchmark.Option(args, "--seed", 17);
        var concurrency = IngestionBenchmark.Option(args, "--concurrency", 8);
        var feedLag = TimeSpan.FromMinutes(IngestionBenchmark.Option(args, "--feed-lag-min", 5));
        var runs = OptionText(args, "--runs", "hourly,probe").Split(',');
        var rates = DailyRates(apps, seed);
        Console.WriteLine(FormattableString.Invariant(
            $"freshness: {apps} integrated apps, {rates.Sum():F0} reviews a day in all, ") +
            FormattableString.Invariant(
            $"{rates.Count(r => r >= 24)} with ≥ 24 a day (Pareto x_min 0.5, alpha 1, cap 5,000), ") +
            FormattableString.Invariant(
            $"keys shared by {AppsPerKey} apps, warm-up {warmup.TotalHours} h, feed lag {feedLag.TotalMinutes} min"));

        var results = new Dictionary<string, RunResult>(StringComparer.Ordinal);
        foreach (var (run, era) in runs.Select((r, i) => (r.Trim(), i)))
        {
            results[run] = await SimulateAsync(run, adaptive: run != "hourly", probe: run == "probe", rates, warmup,
                feedLag, seed, concurrency, era);
        }
        var hourly = results["hourly"];
        var adaptive = results.TryGetValue("probe", out var probed) ? probed : results["api"];
        var cheapEnough = adaptive.RequestsPerAppDay <= hourly.RequestsPerAppDay;
        Console.WriteLine(FormattableString.Invariant(
            $"target: busy p95 ≤ 15 min ({(adaptive.BusyP95 <= 15 ? "met" : "missed")}), ") +
            FormattableString.Invariant(
            $"requests per app-day ≤ hourly's ({(cheapEnough ? "met" : "missed")}); ") +
            "App Store Connect requests; feed requests are counted apart");
        Console.WriteLine(
            FormattableString.Invariant($"RESULT busy_p95_latency_min={adaptive.BusyP95:F1} ") +
            FormattableString.Invariant($"busy_p50_latency_min={adaptive.BusyP50:F1} ") +
            FormattableString.Invariant($"all_p95_latency_min={adaptive.AllP95:F1} ") +
            FormattableString.Invariant($"requests_per_app_day={adaptive.RequestsPerAppDay:F2} ") +
            FormattableString.Invariant($"hourly_busy_p95_latency_min={hourly.BusyP95:F1} ") +
            FormattableString.Invariant($"hourly_requests_per_app_day={hourly.RequestsPerAppDay:F2} ") +
            FormattableString.Invariant($"feed_requests_per_app_day={adaptive.FeedRequestsPerAppDay:F2} ") +
            FormattableString.Invariant($"feed_lag_min={feedLag.TotalMinutes:F0}") +
            (results.TryGetValue("api", out var api) && probed is not null
                ? FormattableString.Invariant($" noprobe_busy_p95_latency_min={api.BusyP95:F1} ") +
                    FormattableString.Invariant($"noprobe_requests_per_app_day={api.RequestsPerAppDay:F2}")
                : string.Empty));
        return 0;
    }

    private static string OptionText(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    private sealed record RunResult(
        double BusyP95, double BusyP50, double AllP95, double RequestsPerAppDay, double FeedRequestsPerAppDay);

    /// <summary>Reviews a day per app: Pareto(0.5, 1) by inverse transform, capped, from a fixed seed.</summary>
    private static double[] DailyRates(int apps, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, apps).Select(_ => Math.Min(5000, 0.5 / (1 - random.NextDouble()))).ToArray();
    }

    private static async Task<RunResult> SimulateAsync(
        string name, bool adaptive, bool probe, double[] rates, TimeSpan warmup, TimeSpan feedLag, int seed,
        int concurrency, int era)
    {
        var start = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(10 * era);
        var clock = new FakeTimeProvider(start);
        await using var asc = new FakeAppStoreConnect { Clock = clock };
        await asc.StartAsync();
        await using var feed = new FakeReviewFeed { Clock = clock, PublicationLag = feedLag };
        await feed.StartAsync();
        var queue = new SimulatedQueue(clock);
        var storage = await Azurite.ConnectionStringAsync();
        await using var services = IngestionBenchmark.BuildServices(storage, asc.BaseAddress,
            settings: new Dictionary<string, string?>
            {
                ["Reviews:ReviewsPerFetch"] = adaptive ? null : "0",
                ["Reviews:ApiBudgetReserve"] = "50",
                ["Reviews:FeedBaseUrl"] = feed.BaseAddress.ToString(),
                ["Reviews:FeedRequestDelay"] = "00:00:00", // the simulated clock stands still during a tick
                ["Reviews:FeedProbeTerritories"] = probe ? "3" : "0",
            },
            configure: s =>
            {
                s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
                s.Replace(ServiceDescriptor.Singleton<IMessageQueue>(queue));
            });
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var scheduler = services.GetRequiredService<FetchScheduler>();
        var fetcher = services.GetRequiredService<ReviewFetcher>();

        // Apps, integrations, keys (one per team of 10) and schedules, as after activation and history import.
        var targets = await PrepareAsync(services, asc, scheduler, rates.Length, start, era);
        var arrivals = Arrivals(rates, start, warmup + Day, seed);
        var appeared = new Dictionary<string, (DateTimeOffset At, int App)>(StringComparer.Ordinal);
        var feedToApi = new Dictionary<string, string>(StringComparer.Ordinal);
        var latencies = new List<(double Minutes, int App)>();
        var measureFrom = start + warmup;
        var end = measureFrom + Day;
        var next = 0;
        var requestsAtStart = 0;
        var feedRequestsAtStart = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var now = start; now < end; now += Tick)
        {
            clock.SetUtcNow(now);
            if (now == measureFrom)
            {
                requestsAtStart = asc.Requests.Count(IsReviewRequest);
                feedRequestsAtStart = feed.Requests.Count;
            }
            var batch = new Dictionary<int, List<FakeCustomerReview>>();
            for (; next < arrivals.Count && arrivals[next].At <= now; next++)
            {
                var (at, app, id) = arrivals[next];
                appeared[id] = (at, app);
                feedToApi[FeedIdOf(id).ToString(CultureInfo.InvariantCulture)] = id;
                (batch.TryGetValue(app, out var list) ? list : batch[app] = []).Add(new FakeCustomerReview(
                    id, 4, "Title", "Body", $"reader-{id}", at, "USA")); // a customer has one review per app
            }
            foreach (var (app, reviews) in batch)
            {
                asc.SetReviews(targets[app].StoreAppId, reviews);
                feed.SetReviews("us", targets[app].StoreAppId,
                    reviews.Select(r => FakeReviewFeed.CopyOf(r, FeedIdOf(r.Id))));
            }
            await scheduler.DispatchDueAsync(CancellationToken.None);
            // Every fetch visible by now runs now (a deferral or retry comes back at a later tick).
            while (queue.TakeVisible<ReviewFetchRequest>(ReviewQueues.ReviewFetches) is { Count: > 0 } fetches)
            {
                await Parallel.ForEachAsync(fetches, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                    async (request, ct) => await fetcher.FetchAsync(request, ct));
            }
            foreach (var handed in queue.TakeVisible<NewReviewsBatch>(ReviewQueues.NewReviews).Where(b => !b.Backfill))
            {
                foreach (var handedId in handed.ReviewIds)
                {
                    // A review the probe stored first keeps its feed id (the API copy is matched with it).
                    var id = feedToApi.Remove(handedId, out var apiId) ? apiId : handedId;
                    if (appeared.Remove(id, out var seen) && seen.At >= measureFrom)
                    {
                        latencies.Add(((now - seen.At).TotalMinutes, seen.App));
                    }
                }
            }
            if ((now - start).Ticks % TimeSpan.FromHours(6).Ticks == 0)
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"  {name}: simulated {(now - start).TotalHours:F0} h in {started.Elapsed.TotalSeconds:F0} s"));
            }
        }
        // The next run uses a later era of the clock: these apps must not fire there.
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (t, ct) => await scheduler.RemoveAsync(t.AccountId, t.AppId, ct));
        // Reviews of the measured day still waiting at its end count with the wait so far (a lower bound).
        latencies.AddRange(appeared.Values.Where(a => a.At >= measureFrom)
            .Select(a => ((end - a.At).TotalMinutes, a.App)));
        var requests = asc.Requests.Count(IsReviewRequest) - requestsAtStart;
        var feedRequests = feed.Requests.Count - feedRequestsAtStart;
        var perApp = latencies.GroupBy(l => l.App).ToDictionary(g => g.Key, g => g.Count());
        var busy = latencies.Where(l => perApp[l.App] >= 24).Select(l => l.Minutes).Order().ToList();
        var all = latencies.Select(l => l.Minutes).Order().ToList();
        var result = new RunResult(Percentile(busy, 0.95), Percentile(busy, 0.5), Percentile(all, 0.95),
            requests / (double)rates.Length, feedRequests / (double)rates.Length);
        Console.WriteLine(
            FormattableString.Invariant($"{name}: {all.Count} reviews in the measured day ") +
            FormattableString.Invariant($"({busy.Count} of {perApp.Count(p => p.Value >= 24)} busy apps); ") +
            FormattableString.Invariant($"latency p50/p95 busy {result.BusyP50:F1}/{result.BusyP95:F1} min, ") +
            FormattableString.Invariant($"all {Percentile(all, 0.5):F1}/{result.AllP95:F1} min; ") +
            FormattableString.Invariant($"{requests} App Store Connect review requests ") +
            FormattableString.Invariant($"= {result.RequestsPerAppDay:F2} per app-day; ") +
            FormattableString.Invariant($"{feedRequests} feed requests = {result.FeedRequestsPerAppDay:F2} ") +
            "per app-day; " +
            FormattableString.Invariant($"busiest key {MaxKeyRequestsPerHour(asc, targets):F0} requests ") +
            FormattableString.Invariant($"in its last hour; simulated in {started.Elapsed.TotalSeconds:F0} s"));
        return result;
    }

    /// <summary>The review's numeric feed id (the feed and the API share no id): from "sim-{app}-{n}".</summary>
    private static long FeedIdOf(string id)
    {
        var parts = id.Split('-');
        return 5_000_000_000L + long.Parse(parts[1], CultureInfo.InvariantCulture) * 1_000_000L
            + long.Parse(parts[2], CultureInfo.InvariantCulture);
    }

    private static bool IsReviewRequest(RecordedRequest request) =>
        request.Path.EndsWith("/customerReviews", StringComparison.Ordinal);

    private static double MaxKeyRequestsPerHour(FakeAppStoreConnect asc, List<Target> targets) =>
        targets.Select(t => t.KeyId).Distinct().Max(asc.RequestsInLastHour);

    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Ceiling(q * sorted.Count) - 1];

    /// <summary>Poisson arrival times of every app's reviews over the whole run, in order.</summary>
    private static List<(DateTimeOffset At, int App, string Id)> Arrivals(
        double[] rates, DateTimeOffset start, TimeSpan length, int seed)
    {
        var random = new Random(seed + 1);
        var all = new List<(DateTimeOffset, int, string)>();
        for (var app = 0; app < rates.Length; app++)
        {
            var perMinute = rates[app] / 1440;
            var t = 0.0;
            for (var n = 0; ; n++)
            {
                t += -Math.Log(1 - random.NextDouble()) / perMinute;
                if (t >= length.TotalMinutes)
                {
                    break;
                }
                all.Add((start.AddMinutes(t), app, string.Create(CultureInfo.InvariantCulture, $"sim-{app}-{n}")));
            }
        }
        return [.. all.OrderBy(a => a.Item1)];
    }

    private sealed record Target(string AccountId, string AppId, string StoreAppId, string KeyId);

    private static async Task<List<Target>> PrepareAsync(
        ServiceProvider services, FakeAppStoreConnect asc, FetchScheduler scheduler, int apps, DateTimeOffset start,
        int era)
    {
        var tables = services.GetRequiredService<TableServiceClient>();
        var credentials = services.GetRequiredService<AppStoreConnectCredentialStore>();
        var partitions = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ReviewsOptions>>().Value;
        var targets = new List<Target>();
        FakeAppStoreConnectKey? key = null;
        for (var i = 0; i < apps; i++)
        {
            key = i % AppsPerKey == 0 ? asc.CreateKey() : key!;
            var accountId = Ids.New();
            var appId = Ids.New();
            var storeAppId = (3_000_000_000L + era * 100_000L + i).ToString(CultureInfo.InvariantCulture);
            // Each app registers the team's key under its own name, as the integration flow stores it.
            var reference = await credentials.SaveAsync(IntegrationCredentials.SecretName(accountId, appId),
                new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem), CancellationToken.None);
            await tables.GetTableClient(AppTables.Apps).AddEntityAsync(new AppEntity
            {
                PartitionKey = accountId, RowKey = appId, StoreAppId = storeAppId, Platform = Platforms.Ios,
                Name = "Sim", Territories = "USA", CreatedAt = start,
            });
            await tables.GetTableClient(IntegrationTables.Integrations).AddEntityAsync(new IntegrationEntity
            {
                PartitionKey = accountId, RowKey = appId, Status = nameof(IntegrationStatus.Active),
                ActiveKind = nameof(IntegrationKind.FullAccess), CredentialReference = reference,
            });
            await tables.GetTableClient(IntegrationTables.ConnectionApps).AddEntityAsync(new AppConnectionLinkEntity
            {
                PartitionKey = accountId, RowKey = AppConnectionLinkEntity.Prefix + appId, ConnectionId = appId,
                AscAppId = storeAppId,
            });
            await tables.GetTableClient(ReviewTables.ReviewFetchSchedules).AddEntityAsync(new FetchScheduleEntity
            {
                PartitionKey = accountId, RowKey = appId, Source = ReviewSources.AppStoreConnect, ApiWatermark = start,
                BackfillCompletedAt = start, IntervalTicks = partitions.ApiInterval.Ticks,
                DuePartition = DueIndex.PartitionFor(appId, partitions.DuePartitions),
            });
            // The app's history (one review before the watermark): App Store Connect knows the app.
            asc.SetReviews(storeAppId, [new FakeCustomerReview($"old-{storeAppId}", 5, "Old", "Old", "old-reader",
                start.AddDays(-1), "USA")]);
            await scheduler.CreateAsync(accountId, appId, CancellationToken.None); // due at once
            targets.Add(new Target(accountId, appId, storeAppId, key.KeyId));
        }
        return targets;
    }

    /// <summary>
    /// The storage queues in memory on the simulated clock: messages go through JSON like the real queue, and a
    /// visibility delay holds a message until the clock reaches it.
    /// </summary>
    private sealed class SimulatedQueue(TimeProvider clock) : IMessageQueue
    {
        private readonly List<(string Queue, string Json, DateTimeOffset VisibleAt)> messages = [];

        public Task SendAsync<TMessage>(
            string queueName, TMessage message, TimeSpan? visibilityDelay = null,
            CancellationToken cancellationToken = default)
        {
            var json = JsonSerializer.Serialize(message, ReviewHubJson.Options);
            lock (messages)
            {
                messages.Add((queueName, json, clock.GetUtcNow() + (visibilityDelay ?? TimeSpan.Zero)));
            }
            return Task.CompletedTask;
        }

        public List<T> TakeVisible<T>(string queueName)
        {
            var now = clock.GetUtcNow();
            lock (messages)
            {
                var visible = messages.Where(m => m.Queue == queueName && m.VisibleAt <= now).ToList();
                messages.RemoveAll(m => m.Queue == queueName && m.VisibleAt <= now);
                return visible.Select(m => JsonSerializer.Deserialize<T>(m.Json, ReviewHubJson.Options)!).ToList();
            }
        }
    }
}
