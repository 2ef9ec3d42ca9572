using ReviewHub.Accounts;
using ReviewHub.ReplyAutomation;
using ReviewHub.Slack;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using ReviewHub.AppStoreConnect;
using ReviewHub.Apps;
using ReviewHub.Delivery;
using ReviewHub.Fakes;
using ReviewHub.GooglePlay;
using ReviewHub.Integrations;
using ReviewHub.Replies;
using ReviewHub.Reviews;
using ReviewHub.Storage;
using System.Globalization;

namespace ReviewHub.Tests.Apps;

/// <summary>
/// Removing an app while work on it is in flight: a fetch paging, a delivery claiming, a reply being sent and a
/// moderation check, each held at the fake service while the app is removed and purged, then let go. Once the removal
/// and that work have settled, the app has no row in any table the app provisions.
/// </summary>
public sealed class AppRemovalRaceTests
{
    /// <summary>Tables of account-level data (who may use which account), not of one app.</summary>
    /// <summary>
    /// Tables of the account, not of its apps: confirmed addresses are the account's (an address serves every route
    /// that names it), and rate-limit counters live in the account's partition (a route's own counter is deleted with
    /// the route by <c>RouteStore</c>).
    /// </summary>
    private static readonly string[] AccountScopedTables =
    [
        AccountTables.Accounts, AccountTables.Memberships, AccountTables.UserAccounts, AccountTables.EmailConfirmations,
        SharedTables.RateLimits, ReplyAutomationTables.ReplyTemplates, SlackTables.SlackUserLinks,
        // A team's connection, its audit trail and its key's budget belong to the team, not to one of its apps: the
        // app's link to it (ConnectionApps) is what the removal deletes.
        IntegrationTables.Integrations, IntegrationTables.IntegrationEvents, ReviewTables.ApiKeyBudgets,
        // Likewise the account's Google Play connection (one per account, whatever its apps).
        GooglePlayTables.PlayConnections,
    ];

    private static readonly DateTimeOffset Newest = DateTimeOffset.UtcNow.AddDays(-1);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Once_the_removal_and_the_work_in_flight_settled_the_app_has_no_row_in_any_table()
    {
        // The moderation check scans every app's in-flight replies: this test gets its own storage.
        var storage = await Azurite.IsolatedConnectionStringAsync("removal-races");
        await using var asc = new FakeAppStoreConnect();
        await using var webhooks = new FakeWebhookReceiver();
        await Task.WhenAll(asc.StartAsync(), webhooks.StartAsync());
        await using var app = await TestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Tables"] = storage,
            ["Storage:Queues"] = storage,
            ["AppStoreConnect:BaseUrl"] = asc.BaseAddress.ToString(),
            ["Reviews:ApiPageSize"] = "10",
        });
        var storeAppId = Random.Shared.NextInt64(100_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);
        var world = await TestWorld.CreateAsync(app, storeAppId);
        var tables = app.Get<TableServiceClient>();

        // The app in use: an active integration whose history is imported, a webhook route with deliveries, two
        // replies.
        asc.SetReviews(storeAppId, FakeAppStoreConnect.GenerateReviews(15, Newest, "00000028-0001"));
        await ActivateIntegrationAsync(app, world, asc.CreateKey());
        await FetchAsync(app, world); // the history import (two pages)
        asc.SetReviews(storeAppId, FakeAppStoreConnect.GenerateReviews(5, Newest.AddHours(1), "00000028-0002"));
        await FetchAsync(app, world); // five new reviews, announced
        var announced = Assert.Single(app.Queue.Take<NewReviewsBatch>(ReviewQueues.NewReviews), b => !b.Backfill);
        var route = (await app.Host.PostAsync($"{world.AppPath}/routes", world.Token,
            new { channel = "webhook", target = webhooks.UrlFor("hooks/reviews") })).As<RouteResponse>();
        webhooks.SetSecret("hooks/reviews", route.SigningSecret!);
        var deliverer = app.Get<RouteDeliverer>();
        await deliverer.DeliverAsync(Work(world, route, announced.ReviewIds.Take(3)), CancellationToken.None);
        Assert.Equal(3, webhooks.Received.Count);
        var (pendingReview, sentLater) = (announced.ReviewIds[0], announced.ReviewIds[1]);
        asc.SeedReviewForResponses(pendingReview);
        asc.SeedReviewForResponses(sentLater);
        Assert.Equal(202, (await ReplyAsync(app, world, pendingReview, "Thanks!")).Status);
        var firstSend = Assert.Single(app.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends));
        await app.Get<ReplySender>().SendAsync(firstSend, CancellationToken.None);
        Assert.Equal(202, (await ReplyAsync(app, world, sentLater, "Fixed in 2.1")).Status);
        var replySend = Assert.Single(app.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends));
        // A draft rule (its audit row) and the drafts it writes for the announced reviews without a reply.
        await ReplyAutomation.AutomationSeeds.RuleAsync(app, world, ReviewHub.ReplyAutomation.RuleMode.Draft);
        await app.Get<ReviewHub.ReplyAutomation.ReplyAutomationRunner>().RunAsync(
            new ReviewHub.ReplyAutomation.ReplyAutomationWork(world.AccountId, world.AppId, announced.ReviewIds),
            CancellationToken.None);

        // Every table of app data holds rows of this app now, so "none" below means something (a new table must be used
        // here).
        var before = await CountAppRowsAsync(tables, world.AppId);
        Assert.All(ReviewHubStorage.Catalog.Tables.Except(AccountScopedTables),
            table => Assert.True(before[table] > 0, $"{table} has no row of the app to purge"));

        // Work in flight, each held at the service it calls: a fetch at its second page, a delivery at its first send
        // (its second review is claimed after the purge), a reply at App Store Connect, a moderation check reading a
        // response.
        asc.SetReviews(storeAppId, FakeAppStoreConnect.GenerateReviews(15, Newest.AddHours(2), "00000028-0003"));
        var fetchHeld = asc.Hold(r =>
            r.Path.Value!.EndsWith("/customerReviews", StringComparison.Ordinal) && r.Query.ContainsKey("cursor"));
        var deliveryHeld = webhooks.Hold(_ => true);
        var sendHeld = asc.Hold(r => r.Method == "POST" && r.Path == "/v1/customerReviewResponses");
        var checkHeld = asc.Hold(r => r.Method == "GET" && r.Path.StartsWithSegments("/v1/customerReviewResponses"));
        var tracker = ActivatorUtilities.CreateInstance<ReplyModerationTracker>(app.Services,
            (TimeProvider)new Replies.ShiftedClock(TimeSpan.FromHours(1)));
        var inFlight = new[]
        {
            Task.Run(() => FetchAsync(app, world)),
            Task.Run(() => deliverer.DeliverAsync(
                Work(world, route, announced.ReviewIds.Skip(3)), CancellationToken.None)),
            Task.Run(() => app.Get<ReplySender>().SendAsync(replySend, CancellationToken.None)),
            Task.Run(() => tracker.CheckAsync(CancellationToken.None)),
        };
        await Task.WhenAll(fetchHeld.Arrived, deliveryHeld.Arrived, sendHeld.Arrived, checkHeld.Arrived)
            .WaitAsync(Patience);

        Assert.Equal(204, (await app.Host.DeleteAsync(world.AppPath, world.Token)).Status);
        var removal = ActivatorUtilities.CreateInstance<AppRemovalFunctions>(app.Services);
        var firstPass = Assert.Single(app.Queue.Take<AppRemoval>(AppQueues.AppRemovals));
        await removal.PurgeRemovedApp(firstPass, CancellationToken.None);

        foreach (var held in new[] { fetchHeld, deliveryHeld, sendHeld, checkHeld })
        {
            held.Release();
        }
        await Task.WhenAll(inFlight).WaitAsync(Patience);
        await PlayQueuesAsync(app, world);

        // The race is real: work that checked the app before it was removed wrote after the purge.
        var afterFirstPass = await CountAppRowsAsync(tables, world.AppId);
        string[] raced =
        [
            ReviewTables.Reviews, ReviewTables.ReviewTimeline, DeliveryTables.Deliveries, ReplyTables.ReplyPending,
        ];
        Assert.All(raced, table => Assert.True(afterFirstPass[table] > 0, $"nothing raced the purge in {table}"));

        // The last pass, once in-flight work has certainly ended (function timeout), and whatever still arrives
        // afterwards.
        var later = ActivatorUtilities.CreateInstance<AppRemovalFunctions>(app.Services,
            (TimeProvider)new Replies.ShiftedClock(AppRemovalFunctions.FinalPurgeAfter + TimeSpan.FromMinutes(1)));
        var lastPasses = app.Queue.Take<AppRemoval>(AppQueues.AppRemovals);
        Assert.NotEmpty(lastPasses);
        foreach (var pass in lastPasses)
        {
            await later.PurgeRemovedApp(pass, CancellationToken.None);
        }
        await PlayQueuesAsync(app, world);
        await app.Get<FetchScheduler>().DispatchDueAsync(CancellationToken.None);
        await tracker.CheckAsync(CancellationToken.None);
        await PlayQueuesAsync(app, world);

        var left = (await CountAppRowsAsync(tables, world.AppId))
            .Where(t => t.Value > 0).Select(t => $"{t.Key}: {t.Value}").ToList();
        Assert.True(left.Count == 0, "rows of the removed app left: " + string.Join(", ", left));
        var secrets = app.Configuration["Secrets:LocalDirectory"]!;
        Assert.Empty(Directory.Exists(secrets)
            ? Directory.GetFiles(secrets).Where(f => f.Contains(world.AppId, StringComparison.Ordinal))
            : []);
        Assert.Equal(404, (await app.Host.DeleteAsync(world.AppPath, world.Token)).Status);
    }

    private static DeliveryWork Work(TestWorld world, RouteResponse route, IEnumerable<string> reviewIds) =>
        new(world.AccountId, world.AppId, route.RouteId, Ids.New(), reviewIds.ToList());

    private static async Task ActivateIntegrationAsync(TestApp app, TestWorld world, FakeAppStoreConnectKey key)
    {
        // The team's connection and its key are not the app's: removing the app leaves them.
        var connectionId = ConnectionIds.For("Removal Team");
        var reference = await app.Get<AppStoreConnectCredentialStore>().SaveAsync(
            IntegrationCredentials.SecretName(world.AccountId, connectionId),
            new AppStoreConnectCredential(key.IssuerId, key.KeyId, key.PrivateKeyPem), CancellationToken.None);
        var integration = new IntegrationEntity
        {
            PartitionKey = world.AccountId,
            RowKey = connectionId,
            Status = nameof(IntegrationStatus.Active),
            Kind = nameof(IntegrationKind.FullAccess),
            ActiveKind = nameof(IntegrationKind.FullAccess),
            IntegrationEmail = "integration@reviewhub.test",
            CredentialReference = reference,
        };
        integration = await TestConnections.SaveAsync(app.Services, integration, world.AppId);
        foreach (var listener in app.Services.GetServices<IIntegrationActivationListener>())
        {
            await listener.OnActivatedAsync(AppConnection.Of(integration, world.AppId), CancellationToken.None);
        }
        app.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
    }

    private static async Task FetchAsync(TestApp app, TestWorld world)
    {
        var outcome = await app.Get<ReviewFetcher>().FetchAsync(
            new ReviewFetchRequest(world.AccountId, world.AppId), CancellationToken.None);
        Assert.Equal(FetchOutcomeKind.Completed, outcome.Kind);
    }

    private static Task<TestResponse> ReplyAsync(TestApp app, TestWorld world, string reviewId, string body) =>
        app.Host.PutAsync($"{world.AppPath}/reviews/{reviewId}/reply", world.Token, new { body });

    /// <summary>Runs what the work sent to the app's queues, as the host would, until they are quiet.</summary>
    private static async Task PlayQueuesAsync(TestApp app, TestWorld world)
    {
        for (var round = 0; round < 10; round++)
        {
            var batches = app.Queue.Take<NewReviewsBatch>(ReviewQueues.NewReviews);
            var work = app.Queue.Take<DeliveryWork>(DeliveryQueues.Deliveries);
            var sends = app.Queue.Take<ReplySendMessage>(ReplyQueues.ReplySends);
            var fetches = app.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
            if (batches.Count + work.Count + sends.Count + fetches.Count == 0)
            {
                return;
            }
            var delivery = ActivatorUtilities.CreateInstance<DeliveryFunctions>(app.Services);
            foreach (var batch in batches)
            {
                await delivery.FanOutNewReviews(batch, CancellationToken.None);
            }
            foreach (var unit in work)
            {
                await app.Get<RouteDeliverer>().DeliverAsync(unit, CancellationToken.None);
            }
            foreach (var send in sends)
            {
                await app.Get<ReplySender>().SendAsync(send, CancellationToken.None);
            }
            foreach (var fetch in fetches.Where(f => f.AppId == world.AppId))
            {
                await app.Get<ReviewFetcher>().FetchAsync(fetch, CancellationToken.None);
            }
        }
        Assert.Fail("the queues did not quiet down");
    }

    /// <summary>
    /// Rows of the app in each table the app provisions: a row whose keys or text mention the app's id (ids are random
    /// 32-hex strings, so nothing else matches). Every table is read whole: this storage holds this test's rows only.
    /// </summary>
    private static async Task<Dictionary<string, int>> CountAppRowsAsync(TableServiceClient tables, string appId)
    {
        var counts = ReviewHubStorage.Catalog.Tables.ToDictionary(name => name, _ => 0);
        // Every table of the account, each counted under the declared table its name starts with: the due index's
        // shard tables (ReviewFetchDue000 …) are created by the scheduler, not declared.
        await foreach (var table in tables.QueryAsync())
        {
            var declared = counts.Keys.Where(name => table.Name.StartsWith(name, StringComparison.Ordinal))
                .MaxBy(name => name.Length);
            if (declared is null)
            {
                continue;
            }
            await foreach (var row in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
            {
                var text = ((IDictionary<string, object>)row).Values.OfType<string>()
                    .Append(row.PartitionKey).Append(row.RowKey);
                if (text.Any(v => v.Contains(appId, StringComparison.Ordinal)))
                {
                    counts[declared]++;
                }
            }
        }
        return counts;
    }
}
