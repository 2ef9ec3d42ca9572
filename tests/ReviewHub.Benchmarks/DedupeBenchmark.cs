using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.Reviews;
using ReviewHub.Secrets;
using ReviewHub.Storage;
using ReviewHub.Tests.Infrastructure;
using ReviewHub.Tests.Reviews;

namespace ReviewHub.Benchmarks;

/// <summary>
/// Precision and recall of matching feed reviews with their App Store Connect copies, through the real path: for each
/// app a generated set with near-duplicates (<see cref="NearDuplicateReviews"/>) is served by the fake feed and the
/// fake App Store Connect; the feed's first import runs, the integration is activated and the history import runs to
/// the end, then the stored rows are compared with the truth. Options: --apps N (default 4) --slots N per storefront
/// (400) --storefronts N (3, at most 5) --seed N (1).
/// </summary>
internal sealed class DedupeBenchmark : IBenchmark
{
    private static readonly (string Storefront, string Territory)[] Storefronts =
        [("us", "USA"), ("gb", "GBR"), ("de", "DEU"), ("fr", "FRA"), ("jp", "JPN")];

    private static readonly DateTimeOffset Newest = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public string Name => "dedupe";

    public async Task<int> RunAsync(string[] args)
    {
        var apps = IngestionBenchmark.Option(args, "--apps", 4);
        var slots = IngestionBenchmark.Option(args, "--slots", 400);
        var storefrontCount = Math.Clamp(IngestionBenchmark.Option(args, "--storefronts", 3), 1, Storefronts.Length);
        var storefronts = Storefronts[..storefrontCount];
        var seed = IngestionBenchmark.Option(args, "--seed", 1);
        Console.WriteLine($"dedupe: {apps} apps x {storefrontCount} storefronts x {slots} slots, seed {seed}");

        await using var asc = new FakeAppStoreConnect { HourlyLimit = 1_000_000 };
        await using var feed = new FakeReviewFeed();
        await Task.WhenAll(asc.StartAsync(), feed.StartAsync());
        var storage = await Azurite.ConnectionStringAsync();
        await using var services = IngestionBenchmark.BuildServices(storage, asc.BaseAddress, feed.BaseAddress);
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var tables = services.GetRequiredService<TableServiceClient>();
        var fetcher = services.GetRequiredService<ReviewFetcher>();
        var key = asc.CreateKey();
        var reference = await services.GetRequiredService<AppStoreConnectCredentialStore>().SaveAsync(
            SecretNames.For("asc", "dedupe"), new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem),
            CancellationToken.None);

        var scores = new List<DedupeScore>();
        var clock = Stopwatch.StartNew();
        var apiReviews = 0;
        for (var i = 0; i < apps; i++)
        {
            var set = NearDuplicateReviews.Generate(seed + i, storefronts, slots, Newest);
            var (accountId, appId, storeAppId) = await RegisterAsync(services, tables, storefronts, 3_000_000_000L + i);
            var request = new ReviewFetchRequest(accountId, appId);
            MatchingRun.ServeFeed(feed, storeAppId, set);
            await MatchingRun.FetchUntilCompletedAsync(fetcher, request);
            MatchingRun.ServeApi(asc, storeAppId, set);
            await MatchingRun.ActivateAsync(services, accountId, appId, reference);
            await MatchingRun.FetchUntilCompletedAsync(fetcher, request);
            var score = await MatchingRun.ScoreAsync(tables, appId, set);
            scores.Add(score);
            apiReviews += set.Count(g => g.Api is not null);
            Console.WriteLine(
                Inv($"app {i + 1}: {set.Count} reviews, {score.Pairs} in both sources; {score.Merges} merged, ")
                + Inv($"{score.FalseMerges} falsely; {score.Rows} rows; ")
                + Inv($"precision {score.Precision:F3}, recall {score.Recall:F3}"));
        }
        var seconds = clock.Elapsed.TotalSeconds;

        var total = DedupeScore.Sum(scores);
        Console.WriteLine();
        Console.WriteLine("kind                      reviews  merged");
        foreach (var (kind, (count, merged)) in total.ByKind.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(Inv($"{kind,-25} {count,7}  {merged,6}"));
        }
        Console.WriteLine(
            Inv($"{total.DistinctReviews} distinct reviews, {total.Pairs} served by both sources; ")
            + Inv($"{total.Rows} rows stored ({total.Rows - total.DistinctReviews} duplicates left); ")
            + Inv($"{total.Merges} merges, {total.FalseMerges} false; ")
            + Inv($"{total.Lost} ids lost; the feed imports and {apiReviews} API reviews took {seconds:F1} s"));
        Console.WriteLine(
            Inv($"RESULT precision={total.Precision:F3} recall={total.Recall:F3} false_merges={total.FalseMerges} ")
            + Inv($"lost={total.Lost} pairs={total.Pairs} rows={total.Rows} reviews={total.DistinctReviews}"));
        return total.FalseMerges == 0 && total.Lost == 0 && total.Duplicated == 0 ? 0 : 1;
    }

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>An app on the public feed in these storefronts, as registering it would leave it.</summary>
    private static async Task<(string AccountId, string AppId, string StoreAppId)> RegisterAsync(
        IServiceProvider services, TableServiceClient tables,
        IReadOnlyList<(string Storefront, string Territory)> storefronts, long storeAppId)
    {
        var app = new AppEntity
        {
            PartitionKey = Ids.New(),
            RowKey = Ids.New(),
            StoreAppId = storeAppId.ToString(CultureInfo.InvariantCulture),
            Platform = Platforms.Ios,
            Name = "Dedupe",
            Territories = string.Join(',', storefronts.Select(s => s.Territory)),
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await tables.GetTableClient(AppTables.Apps).AddEntityAsync(app);
        var scheduler = services.GetRequiredService<FetchScheduler>();
        await scheduler.CreateAsync(app.AccountId, app.AppId, CancellationToken.None);
        return (app.AccountId, app.AppId, app.StoreAppId);
    }
}
