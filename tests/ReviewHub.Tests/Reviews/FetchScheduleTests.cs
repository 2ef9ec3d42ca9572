using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Apps;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// The schedule timer. The due index is one partition shared by every test app, so each test here runs at its own fake
/// date decades in the past (invisible to apps registered at today's date) and removes its index rows afterwards; the
/// tests of this class run one after the other.
/// </summary>
public sealed class FetchScheduleTests
{
    private static readonly TimeSpan Feed = TimeSpan.FromHours(6);

    [Fact]
    public void Slots_are_stable_per_app_inside_the_interval_and_spread_apps_over_it()
    {
        var now = new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
        var apps = Enumerable.Range(0, 2000).Select(_ => Ids.New()).ToList();

        var slots = apps.Select(id => FetchScheduler.NextSlotAfter(now, Feed, id)).ToList();

        Assert.All(slots, s => Assert.True(s > now && s <= now + Feed));
        Assert.Equal(slots, apps.Select(id => FetchScheduler.NextSlotAfter(now, Feed, id)));
        Assert.All(apps.Zip(slots), p => Assert.Equal(p.Second + Feed, FetchScheduler.NextSlotAfter(p.Second, Feed, p.First)));
        // 72 five-minute buckets in 6 hours: 2000 apps fill nearly all of them, and none holds more than a few percent.
        var buckets = slots.GroupBy(s => (s - now).Ticks / TimeSpan.FromMinutes(5).Ticks).ToList();
        Assert.True(buckets.Count >= 65, $"{buckets.Count} buckets");
        Assert.True(buckets.Max(b => b.Count()) < 70, $"{buckets.Max(b => b.Count())} apps in one bucket");
    }

    [Fact]
    public async Task A_registered_app_is_due_at_once_then_enqueued_once_per_interval_and_removal_drops_its_schedule()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(1981, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        var world = await TestWorld.CreateAsync(app);
        var scheduler = app.Get<FetchScheduler>();
        try
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            var first = await scheduler.DispatchDueAsync(CancellationToken.None);
            var again = await scheduler.DispatchDueAsync(CancellationToken.None);

            Assert.Equal((1, 1), (first.Scanned, first.Enqueued));
            Assert.Equal(0, again.Scanned);
            Assert.Equal(world.AppId, Assert.Single(app.Queue.Take<ReviewFetchRequest>(QueueNames.ReviewFetches)).AppId);
            var next = (await scheduler.GetAsync(world.AccountId, world.AppId, CancellationToken.None))!.NextDueAt;
            Assert.Equal(FetchScheduler.NextSlotAfter(clock.GetUtcNow(), Feed, world.AppId), next);

            clock.SetUtcNow(next);
            Assert.Equal(1, (await scheduler.DispatchDueAsync(CancellationToken.None)).Enqueued);

            await app.Get<ReviewLifecycle>().PurgeAsync(world.AccountId, world.AppId, CancellationToken.None);
            clock.Advance(TimeSpan.FromDays(1));
            Assert.Equal(0, (await scheduler.DispatchDueAsync(CancellationToken.None)).Scanned);
            Assert.Null(await scheduler.GetAsync(world.AccountId, world.AppId, CancellationToken.None));
        }
        finally
        {
            await DeleteIndexRowsBeforeAsync(app, clock.GetUtcNow().AddYears(1));
        }
    }

    [Fact]
    public async Task An_activated_integration_moves_the_app_to_hourly_slots()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(1983, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        var world = await TestWorld.CreateAsync(app);
        try
        {
            await app.Get<ReviewLifecycle>().OnActivatedAsync(
                new ReviewHub.Integrations.IntegrationEntity { PartitionKey = world.AccountId, RowKey = world.AppId, Status = "Active", ActiveKind = "FullAccess" }, CancellationToken.None);

            var schedule = (await app.Get<FetchScheduler>().GetAsync(world.AccountId, world.AppId, CancellationToken.None))!;
            Assert.Equal(ReviewSources.AppStoreConnect, schedule.Source);
            Assert.True(schedule.BackfillPending);
            Assert.True(schedule.NextDueAt - clock.GetUtcNow() <= TimeSpan.FromHours(1));
            Assert.Single(app.Queue.Take<ReviewFetchRequest>(QueueNames.ReviewFetches)); // the backfill starts now

            clock.SetUtcNow(schedule.NextDueAt);
            await app.Get<FetchScheduler>().DispatchDueAsync(CancellationToken.None);
            var next = (await app.Get<FetchScheduler>().GetAsync(world.AccountId, world.AppId, CancellationToken.None))!.NextDueAt;
            Assert.Equal(schedule.NextDueAt.AddHours(1), next);
        }
        finally
        {
            await DeleteIndexRowsBeforeAsync(app, clock.GetUtcNow().AddYears(1));
        }
    }

    [Fact]
    public async Task Leftover_index_rows_are_dropped_without_a_fetch_once_past_the_grace_and_kept_while_a_write_may_be_in_flight()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(1987, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        var world = await TestWorld.CreateAsync(app);
        var due = app.Get<TableServiceClient>().GetTableClient(TableNames.ReviewFetchDue);
        var now = clock.GetUtcNow();
        var old = new FetchDueEntity { RowKey = FetchDueEntity.KeyFor(now.AddMinutes(-30), world.AccountId, world.AppId), AccountId = world.AccountId, AppId = world.AppId };
        var recent = new FetchDueEntity { RowKey = FetchDueEntity.KeyFor(now.AddMinutes(-1), world.AccountId, world.AppId), AccountId = world.AccountId, AppId = world.AppId };
        try
        {
            await due.AddEntityAsync(old);
            await due.AddEntityAsync(recent);
            // The real schedule row is due in the future: both rows above are leftovers.
            await app.Get<FetchScheduler>().UpdateAsync(world.AccountId, world.AppId, s =>
            {
                s.NextDueAt = now.AddHours(1);
                return true;
            }, CancellationToken.None);

            var dispatch = await app.Get<FetchScheduler>().DispatchDueAsync(CancellationToken.None);

            Assert.Equal((2, 0, 2), (dispatch.Scanned, dispatch.Enqueued, dispatch.Stale));
            Assert.False((await due.GetEntityIfExistsAsync<FetchDueEntity>(FetchDueEntity.Partition, old.RowKey)).HasValue);
            Assert.True((await due.GetEntityIfExistsAsync<FetchDueEntity>(FetchDueEntity.Partition, recent.RowKey)).HasValue);
            Assert.Empty(app.Queue.Take<ReviewFetchRequest>(QueueNames.ReviewFetches));
        }
        finally
        {
            await DeleteIndexRowsBeforeAsync(app, now.AddYears(1));
        }
    }

    [Fact]
    public async Task With_ten_thousand_registered_apps_of_which_a_hundred_are_due_the_timer_reads_only_the_due_ones()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(1985, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        var accountId = Ids.New();
        var tables = app.Get<TableServiceClient>();
        var now = clock.GetUtcNow();
        var schedules = Enumerable.Range(0, 10_000).Select(i => new FetchScheduleEntity
        {
            PartitionKey = accountId,
            RowKey = Ids.New(),
            // 100 apps came due during the last five minutes; the other 9,900 are due over the next six hours.
            NextDueAt = i < 100 ? now.AddSeconds(-1 - i) : now.AddSeconds(1 + i * 2),
        }).ToList();
        try
        {
            await InsertAsync(tables.GetTableClient(TableNames.ReviewFetchSchedules), schedules);
            await InsertAsync(tables.GetTableClient(TableNames.ReviewFetchDue), schedules.Select(FetchDueEntity.For).ToList());
            // The due apps are registered (the timer checks each is not removed before moving it).
            await InsertAsync(tables.GetTableClient(TableNames.Apps), schedules.Take(100).Select(s =>
                new ReviewHub.Apps.AppEntity { PartitionKey = accountId, RowKey = s.AppId }).ToList());
            var counter = new RequestCounter();
            var options = new TableClientOptions();
            options.AddPolicy(counter, HttpPipelinePosition.PerCall);
            var counted = new TableServiceClient(await Azurite.ConnectionStringAsync(), options);
            var apps = new ReviewHub.Apps.AppStore(counted, app.Get<ReviewHub.Accounts.AccountStore>(), clock);
            var scheduler = new FetchScheduler(counted, apps, app.Queue, app.Get<IOptions<ReviewsOptions>>(), clock,
                NullLogger<FetchScheduler>.Instance);

            var dispatch = await scheduler.DispatchDueAsync(CancellationToken.None);

            Assert.Equal((100, 100, 0), (dispatch.Scanned, dispatch.Enqueued, dispatch.Stale));
            Assert.Equal(100, app.Queue.Take<ReviewFetchRequest>(QueueNames.ReviewFetches).Select(r => r.AppId).Distinct().Count());
            // One index query (a scan of 10,000 rows would need at least 10 pages), then a fixed handful of operations per due app.
            Assert.Equal(1, counter.Queries(TableNames.ReviewFetchDue));
            Assert.True(counter.Total <= 1 + 100 * 5, $"{counter.Total} storage requests");
        }
        finally
        {
            await DeleteIndexRowsBeforeAsync(app, now.AddYears(1));
        }
    }

    private static async Task InsertAsync<T>(TableClient table, IReadOnlyList<T> rows) where T : ITableEntity
    {
        foreach (var chunk in rows.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        }
    }

    private static async Task DeleteIndexRowsBeforeAsync(TestApp app, DateTimeOffset before)
    {
        var due = app.Get<TableServiceClient>().GetTableClient(TableNames.ReviewFetchDue);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {FetchDueEntity.Partition} and RowKey lt {FetchDueEntity.UpperBound(before)}");
        var rows = new List<TableEntity>();
        await foreach (var row in due.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"]))
        {
            rows.Add(row);
        }
        foreach (var chunk in rows.Chunk(100))
        {
            await due.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, Azure.ETag.All)));
        }
    }

    /// <summary>Counts the storage requests a client sends, and the queries (GETs of a table's rows) per table.</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Method, string Path)> requests = new();

        public int Total => requests.Count;

        public int Queries(string table) => requests.Count(r => r.Method == "GET" && r.Path.EndsWith($"/{table}()", StringComparison.Ordinal));

        public override void OnSendingRequest(HttpMessage message) =>
            requests.Enqueue((message.Request.Method.ToString(), message.Request.Uri.Path));
    }
}
