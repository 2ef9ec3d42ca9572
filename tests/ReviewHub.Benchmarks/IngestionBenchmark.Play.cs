using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.Apps;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Benchmarks;

/// <summary>Google Play as the second source of the ingest benchmark.</summary>
internal sealed partial class IngestionBenchmark
{
    private static Dictionary<string, string?> PlaySettings(FakeGooglePlay play) => new()
    {
        ["GooglePlay:BaseUrl"] = play.BaseAddress.ToString(),
        ["GooglePlay:TokenUrl"] = play.TokenUrl.ToString(),
    };

    /// <summary>
    /// <paramref name="apps"/> Android apps of one account (its service account granted every package, its connection
    /// Active) with <paramref name="perApp"/> reviews of the last hours each: their first polls through the fetcher,
    /// timed (reviews stored per second), then the Play requests of an idle poll of one of them.
    /// </summary>
    private static async Task<(double Rate, int IdleRequests)> RunPlayAsync(
        ServiceProvider services, FakeGooglePlay play, int apps, int perApp, int concurrency)
    {
        var tables = services.GetRequiredService<TableServiceClient>();
        var accountId = Ids.New();
        var serviceAccount = play.CreateServiceAccount();
        await services.GetRequiredService<GooglePlayServiceAccounts>().SaveAsync(accountId, serviceAccount.KeyJson,
            CancellationToken.None);
        // As after the operators' provisioning and a verification: only an Active connection is read.
        var connections = services.GetRequiredService<PlayConnectionStore>();
        await connections.RecordServiceAccountAsync(accountId, serviceAccount.ClientEmail, CancellationToken.None);
        await connections.UpdateAsync(accountId, row =>
        {
            (row.Status, row.VerifiedAt) = (nameof(PlayConnectionStatus.Active), DateTimeOffset.UtcNow);
            return true;
        }, CancellationToken.None);
        var targets = new List<(string AccountId, string AppId)>();
        for (var i = 0; i < apps; i++)
        {
            var package = $"com.bench.play{i}";
            var appId = Ids.New();
            await tables.GetTableClient(AppTables.Apps).AddEntityAsync(new AppEntity
            {
                PartitionKey = accountId, RowKey = appId, StoreAppId = package, Platform = Platforms.Android,
                Name = "Bench Android", CreatedAt = DateTimeOffset.UtcNow,
            });
            await tables.GetTableClient(ReviewTables.ReviewFetchSchedules).AddEntityAsync(new FetchScheduleEntity
            {
                PartitionKey = accountId, RowKey = appId, Source = ReviewSources.GooglePlay,
            });
            play.AddApp(package);
            play.SetGrant(serviceAccount.ClientEmail, package, FakePlayGrant.Granted);
            play.SetReviews(package, FakeGooglePlay.GenerateReviews(perApp, DateTimeOffset.UtcNow.AddMinutes(-1)));
            targets.Add((accountId, appId));
        }
        var fetcher = services.GetRequiredService<ReviewFetcher>();
        var clock = Stopwatch.StartNew();
        var stored = await FetchAllAsync(fetcher, targets, concurrency);
        var seconds = clock.Elapsed.TotalSeconds;
        if (stored != apps * perApp)
        {
            throw new InvalidOperationException($"Expected {apps * perApp} Play reviews, the fetcher stored {stored}.");
        }
        play.ClearRequests();
        var idle = await fetcher.FetchAsync(
            new ReviewFetchRequest(accountId, targets[0].AppId), CancellationToken.None);
        if (idle is not { Kind: FetchOutcomeKind.Completed, NewReviews: 0 })
        {
            throw new InvalidOperationException($"The idle Play poll ended {idle.Kind} with {idle.NewReviews} new.");
        }
        return (stored / seconds,
            play.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/reviews", StringComparison.Ordinal)));
    }
}
