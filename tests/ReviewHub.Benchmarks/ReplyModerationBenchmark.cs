using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.AppStoreConnect;
using ReviewHub.Fakes;
using ReviewHub.Integrations;
using ReviewHub.Replies;
using ReviewHub.Secrets;
using ReviewHub.Storage;
using ReviewHub.Tests.Infrastructure;
using System.Globalization;

namespace ReviewHub.Benchmarks;

/// <summary>
/// What one moderation run costs with few replies in flight among many settled ones: it should follow the pending
/// replies (index rows read, App Store Connect calls), not all replies.
/// <c>dotnet run -c Release --project tests/ReviewHub.Benchmarks -- replies-moderation [settled=5000] [pending=100]</c>
/// </summary>
internal sealed class ReplyModerationBenchmark : IBenchmark
{
    public string Name => "replies-moderation";

    public async Task<int> RunAsync(string[] args)
    {
        var settled = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var pending = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;

        await using var asc = new FakeAppStoreConnect { Latency = TimeSpan.FromMilliseconds(20) };
        await asc.StartAsync();
        var storage = await Azurite.ConnectionStringAsync();
        // The ingest benchmark's settings: one list of what the app requires to start, for every benchmark.
        await using var provider = IngestionBenchmark.BuildServices(storage, asc.BaseAddress);
        await provider.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);

        var (accountId, appId) = (Ids.New(), Ids.New());
        var key = asc.CreateKey();
        var credential = new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem);
        var reference = await provider.GetRequiredService<AppStoreConnectCredentialStore>()
            .SaveAsync(SecretNames.For("asc", accountId, appId), credential, CancellationToken.None);
        await provider.GetRequiredService<IntegrationStore>().Table.AddEntityAsync(new IntegrationEntity
        {
            PartitionKey = accountId, RowKey = appId, Status = nameof(IntegrationStatus.Active), ActiveKind =
                nameof(IntegrationKind.FullAccess), CredentialReference = reference,
        });
        // The connection serves the app (one app, one team: the connection id is the app's).
        await provider.GetRequiredService<ConnectionAppStore>().LinkAsync(accountId, appId, appId, string.Empty,
            CancellationToken.None);

        var tables = provider.GetRequiredService<TableServiceClient>();
        var replies = tables.GetTableClient(ReplyTables.Replies);
        var store = provider.GetRequiredService<ReplyStore>();
        var responses = provider.GetRequiredService<CustomerReviewResponses>();
        var sentAt = DateTimeOffset.UtcNow.AddHours(-1);
        var rows = new List<TableTransactionAction>();
        for (var i = 0; i < settled + pending; i++)
        {
            var reviewId = $"review-{i:D6}";
            var isPending = i >= settled;
            string? responseId = null;
            if (isPending)
            {
                asc.SeedReviewForResponses(reviewId);
                responseId = (await responses.CreateOrReplaceAsync(credential, reviewId, "Thanks!",
                    CancellationToken.None)).Id;
            }
            var reply = new ReplyEntity
            {
                PartitionKey = appId, RowKey = reviewId, AccountId = accountId, Version = 1, AppliedVersion = 1, Body =
                    "Thanks!",
                Status = isPending ? nameof(ReplyStatus.PendingPublish) : nameof(ReplyStatus.Published),
                ResponseId = responseId, SentAt = sentAt, RequestedAt = sentAt, UpdatedAt = sentAt,
            };
            rows.Add(new TableTransactionAction(TableTransactionActionType.Add, reply));
            if (rows.Count == 100)
            {
                await replies.SubmitTransactionAsync(rows);
                rows.Clear();
            }
            if (isPending)
            {
                await store.TrackPendingAsync(reply, 1, sentAt, CancellationToken.None);
            }
        }
        if (rows.Count > 0)
        {
            await replies.SubmitTransactionAsync(rows);
        }

        var tracker = ActivatorUtilities.CreateInstance<ReplyModerationTracker>(provider,
            new Ahead(TimeSpan.FromHours(1)));
        asc.ClearRequests();
        var watch = Stopwatch.StartNew();
        var summary = await tracker.CheckAsync(CancellationToken.None);
        watch.Stop();
        var calls = asc.Requests.Count;

        await store.PurgeAppAsync(appId, CancellationToken.None);
        Console.WriteLine($"settled replies: {settled}, pending replies: {pending}");
        Console.WriteLine($"index rows checked: {summary.Checked}, App Store Connect calls: {calls}, run: " +
            $"{watch.ElapsedMilliseconds} ms " +
            $"(fake latency {asc.Latency.TotalMilliseconds} ms, parallelism 4)");
        Console.WriteLine($"RESULT settled={settled} pending={pending} checked={summary.Checked} asc_calls={calls} " +
            $"run_ms={watch.ElapsedMilliseconds}");
        return summary.Checked == pending && calls == pending ? 0 : 1;
    }

    private sealed class Ahead(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }
}
