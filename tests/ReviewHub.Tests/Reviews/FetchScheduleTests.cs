using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Integrations;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Tests.Reviews;

/// <summary>
/// The schedule timer. The due index is shared by every test app, so each test here runs at its own fake date decades
/// in the past (invisible to apps registered at today's date) and removes its index rows afterwards; the tests of this
/// class run one after the other.
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
        Assert.All(apps.Zip(slots), p => Assert.Equal(p.Second + Feed, FetchScheduler.NextSlotAfter(p.Second, Feed,
            p.First)));
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
            Assert.Equal(world.AppId, Assert.Single(app.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches))
                .AppId);
            var next = await NextDueAsync(scheduler, world);
            Assert.Equal(FetchScheduler.NextSlotAfter(clock.GetUtcNow(), Feed, world.AppId), next);

            clock.SetUtcNow(next!.Value);
            Assert.Equal(1, (await scheduler.DispatchDueAsync(CancellationToken.None)).Enqueued);

            await app.Get<ReviewLifecycle>().PurgeAsync(world.AccountId, world.AppId, CancellationToken.None);
            clock.Advance(TimeSpan.FromDays(1));
            Assert.Equal(0, (await scheduler.DispatchDueAsync(CancellationToken.None)).Scanned);
            Assert.Null(await scheduler.GetAsync(world.AccountId, world.AppId, CancellationToken.None));
            Assert.Empty(await IndexRowsOfAsync(app, world.AppId));
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
                AppConnection.Of(new IntegrationEntity
                {
                    PartitionKey = world.AccountId, RowKey = world.AppId, Status = "Active", ActiveKind = "FullAccess",
                }, world.AppId),
                CancellationToken.None);

            var schedule = (await app.Get<FetchScheduler>().GetAsync(world.AccountId, world.AppId,
                CancellationToken.None))!;
            Assert.Equal(ReviewSources.AppStoreConnect, schedule.Source);
            Assert.True(schedule.BackfillPending);
            var due = (await NextDueAsync(app.Get<FetchScheduler>(), world))!.Value;
            Assert.InRange(due - clock.GetUtcNow(), TimeSpan.FromTicks(1), TimeSpan.FromHours(1));
            Assert.Single(app.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches)); // the backfill starts now

            clock.SetUtcNow(due);
            await app.Get<FetchScheduler>().DispatchDueAsync(CancellationToken.None);
            Assert.Equal(due.AddHours(1), await NextDueAsync(app.Get<FetchScheduler>(), world));
        }
        finally
        {
            await DeleteIndexRowsBeforeAsync(app, clock.GetUtcNow().AddYears(1));
        }
    }

    [Fact]
    public async Task A_busy_app_moves_to_a_shorter_interval_at_once_and_back_to_the_ceiling_when_it_quiets_down()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(1987, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        var world = await TestWorld.CreateAsync(app);
        var scheduler = app.Get<FetchScheduler>();
        try
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            await scheduler.DispatchDueAsync(CancellationToken.None); // first fetch: the app moves to its feed slot
            Assert.Equal(Feed, (await IndexRowsOfAsync(app, world.AppId)).Single().Interval);

            // Fetches every few minutes that each find 100 new reviews: the rate climbs, the interval falls to the
            // floor.
            for (var i = 0; i < 6; i++)
            {
                clock.Advance(TimeSpan.FromMinutes(5));
                await scheduler.UpdateAsync(world.AccountId, world.AppId, s =>
                {
                    scheduler.Observe(s, ReviewSources.Feed, newReviews: 100, budget: null);
                    return true;
                }, CancellationToken.None);
            }

            var row = (await IndexRowsOfAsync(app, world.AppId)).Single();
            Assert.Equal(TimeSpan.FromMinutes(5), row.Interval);
            Assert.True(row.DueAt - clock.GetUtcNow() <= TimeSpan.FromMinutes(5), $"due at {row.DueAt}");
            var tick = row.DueAt > clock.GetUtcNow() ? row.DueAt : clock.GetUtcNow();
            clock.SetUtcNow(tick);
            Assert.Equal(1, (await scheduler.DispatchDueAsync(CancellationToken.None)).Enqueued);
            var next = (await NextDueAsync(scheduler, world))!.Value;
            Assert.Equal(FetchScheduler.NextSlotAfter(tick, TimeSpan.FromMinutes(5), world.AppId), next);
            Assert.True(next - tick <= TimeSpan.FromMinutes(5));

            // A day without reviews: the rate decays and the app is back at the promised ceiling, never beyond it.
            clock.Advance(TimeSpan.FromDays(1));
            await scheduler.UpdateAsync(world.AccountId, world.AppId, s =>
            {
                scheduler.Observe(s, ReviewSources.Feed, newReviews: 0, budget: null);
                return true;
            }, CancellationToken.None);
            Assert.True((await IndexRowsOfAsync(app, world.AppId)).Single().Interval > TimeSpan.FromMinutes(5));
            clock.Advance(TimeSpan.FromDays(2));
            await scheduler.UpdateAsync(world.AccountId, world.AppId, s =>
            {
                scheduler.Observe(s, ReviewSources.Feed, newReviews: 0, budget: null);
                return true;
            }, CancellationToken.None);
            Assert.Equal(Feed, (await IndexRowsOfAsync(app, world.AppId)).Single().Interval);
        }
        finally
        {
            await DeleteIndexRowsBeforeAsync(app, clock.GetUtcNow().AddYears(1));
        }
    }

    [Fact]
    public async Task Scheduling_an_app_twice_keeps_one_index_entry_and_its_purge_leaves_none()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(1989, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        var world = await TestWorld.CreateAsync(app);
        var scheduler = app.Get<FetchScheduler>();
        try
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await scheduler.CreateAsync(world.AccountId, world.AppId, CancellationToken.None);
            clock.Advance(TimeSpan.FromMinutes(10));
            await scheduler.DispatchDueAsync(CancellationToken.None);
            await scheduler.CreateAsync(world.AccountId, world.AppId, CancellationToken.None);

            Assert.Single(await IndexRowsOfAsync(app, world.AppId));
            Assert.Single(app.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches));

            await app.Get<ReviewLifecycle>().PurgeAsync(world.AccountId, world.AppId, CancellationToken.None);
            await app.Get<ReviewLifecycle>().PurgeAsync(world.AccountId, world.AppId, CancellationToken.None);
            Assert.Empty(await IndexRowsOfAsync(app, world.AppId));
            Assert.Empty(await PointersOfAsync(app, world.AccountId, world.AppId));
            clock.Advance(TimeSpan.FromDays(1));
            Assert.Equal(0, (await scheduler.DispatchDueAsync(CancellationToken.None)).Scanned);
        }
        finally
        {
            await DeleteIndexRowsBeforeAsync(app, clock.GetUtcNow().AddYears(1));
        }
    }

    [Fact]
    public async Task A_row_of_the_unsharded_index_still_fires_and_then_moves_like_any_other()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(1991, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        var due = app.Get<TableServiceClient>().GetTableClient(ReviewTables.ReviewFetchDue);
        var accountId = Ids.New();
        var appId = Ids.New();
        var now = clock.GetUtcNow();
        try
        {
            // As the unsharded index wrote it: partition "due", no interval, no pointer.
            await due.AddEntityAsync(new FetchDueEntity
            {
                PartitionKey = DueIndex.LegacyPartition, RowKey = DueIndex.KeyFor(now.AddMinutes(-1), accountId, appId),
                AccountId = accountId, AppId = appId,
            });

            Assert.Equal(1, (await app.Get<FetchScheduler>().DispatchDueAsync(CancellationToken.None)).Enqueued);

            var row = Assert.Single(await IndexRowsOfAsync(app, appId));
            Assert.Equal(DueIndex.LegacyPartition, row.PartitionKey);
            Assert.Equal(FetchScheduler.NextSlotAfter(now, TimeSpan.FromHours(1), appId), row.DueAt);
            Assert.Single(await PointersOfAsync(app, accountId, appId));
            await app.Get<FetchScheduler>().RemoveAsync(accountId, appId, CancellationToken.None);
            Assert.Empty(await IndexRowsOfAsync(app, appId));
            Assert.Empty(await PointersOfAsync(app, accountId, appId));
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
        var partitions = app.Get<IOptions<ReviewsOptions>>().Value.DuePartitions;
        // Only what the timer reads: index rows. 100 apps came due during the last five minutes; the other 9,900 are
        // due over the next six hours.
        var rows = Enumerable.Range(0, 10_000).Select(i =>
        {
            var appId = Ids.New();
            return new FetchDueEntity
            {
                PartitionKey = DueIndex.PartitionFor(appId, partitions),
                RowKey = DueIndex.KeyFor(
                    i < 100 ? now.AddSeconds(-1 - i) : now.AddSeconds(1 + i * 2), accountId, appId),
                AccountId = accountId, AppId = appId, IntervalTicks = TimeSpan.FromHours(1).Ticks,
            };
        }).ToList();
        try
        {
            await app.Get<FetchScheduler>().EnsureShardTablesAsync(CancellationToken.None);
            foreach (var partition in rows.GroupBy(r => r.PartitionKey))
            {
                await InsertAsync(tables.GetTableClient(DueIndex.TableOf(partition.Key)), partition.ToList());
            }
            var counter = new RequestCounter();
            var options = new TableClientOptions();
            options.AddPolicy(counter, HttpPipelinePosition.PerCall);
            var counted = new TableServiceClient(await Azurite.ConnectionStringAsync(), options);
            var scheduler = new FetchScheduler(counted, app.Queue, app.Get<IOptions<ReviewsOptions>>(), clock,
                NullLogger<FetchScheduler>.Instance);
            await scheduler.EnsureShardTablesAsync(CancellationToken.None); // once per process, not per run
            counter.Reset();

            var dispatch = await scheduler.DispatchDueAsync(CancellationToken.None);

            Assert.Equal((100, 100, 0), (dispatch.Scanned, dispatch.Enqueued, dispatch.Stale));
            var sent = app.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
            Assert.Equal(100, sent.Count);
            Assert.Equal(100, sent.Select(r => r.AppId).Distinct().Count());
            // One range query per shard table and per partition of the earlier layouts (table ReviewFetchDue) reads the
            // due rows and nothing else; the moves go 33 apps to a transaction: at most 2 storage requests per due app,
            // and only index requests.
            var shards = Enumerable.Range(0, partitions).Select(DueIndex.ShardName).ToList();
            Assert.Equal(partitions + 1, counter.Queries(ReviewTables.ReviewFetchDue));
            Assert.All(shards, shard => Assert.Equal(1, counter.Queries(shard)));
            Assert.Equal(counter.Total, counter.Batches + shards.Append(ReviewTables.ReviewFetchDue)
                .Sum(counter.Queries)); // the moves are batch transactions
            Assert.True(counter.Total <= 2 * 100, $"{counter.Total} storage requests for 100 due apps");
            Assert.True(counter.Total <= 2 * partitions + 1 + partitions * 2, $"{counter.Total} storage requests");
            Assert.Equal(0, (await scheduler.DispatchDueAsync(CancellationToken.None)).Scanned);
        }
        finally
        {
            await DeleteIndexRowsBeforeAsync(app, now.AddYears(1));
        }
    }

    [Fact]
    public async Task Two_timer_runs_at_once_enqueue_every_due_app_exactly_once_and_move_each_to_one_next_slot()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(1983, 6, 1, 12, 0, 0, TimeSpan.Zero));
        await using var app = await TestApp.StartAsync(configure: s => s.Replace<TimeProvider>(clock));
        var accountId = Ids.New();
        var now = clock.GetUtcNow();
        var partitions = app.Get<IOptions<ReviewsOptions>>().Value.DuePartitions;
        var rows = Enumerable.Range(0, 600).Select(i =>
        {
            var appId = Ids.New();
            return new FetchDueEntity
            {
                PartitionKey = DueIndex.PartitionFor(appId, partitions),
                RowKey = DueIndex.KeyFor(now.AddSeconds(-1 - i % 300), accountId, appId),
                AccountId = accountId, AppId = appId, IntervalTicks = TimeSpan.FromHours(1).Ticks,
            };
        }).ToList();
        var tables = app.Get<TableServiceClient>();
        try
        {
            await app.Get<FetchScheduler>().EnsureShardTablesAsync(CancellationToken.None);
            foreach (var partition in rows.GroupBy(r => r.PartitionKey))
            {
                await InsertAsync(tables.GetTableClient(DueIndex.TableOf(partition.Key)), partition.ToList());
            }
            FetchScheduler NewScheduler() => new(app.Get<TableServiceClient>(), app.Queue,
                app.Get<IOptions<ReviewsOptions>>(), clock, NullLogger<FetchScheduler>.Instance);

            var runs = await Task.WhenAll(
                NewScheduler().DispatchDueAsync(CancellationToken.None),
                NewScheduler().DispatchDueAsync(CancellationToken.None));

            var sent = app.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches);
            Assert.Equal(600, runs.Sum(r => r.Enqueued));
            Assert.Equal(rows.Select(r => r.AppId).Order(), sent.Select(r => r.AppId).Order());
            var dueRows = new List<FetchDueEntity>();
            foreach (var index in IndexTables(app))
            {
                await foreach (var row in index.QueryAsync<FetchDueEntity>(TableClient.CreateQueryFilter(
                    $"AccountId eq {accountId}")))
                {
                    dueRows.Add(row);
                }
            }
            Assert.Equal(rows.Select(r => r.AppId).Order(), dueRows.Select(r => r.AppId).Order());
            Assert.All(dueRows, r => Assert.True(DueIndex.DueAtOf(r.RowKey) > now, r.RowKey));
            Assert.Equal(0, (await NewScheduler().DispatchDueAsync(CancellationToken.None)).Scanned);
            clock.Advance(TimeSpan.FromHours(1));
            Assert.Equal(600, (await NewScheduler().DispatchDueAsync(CancellationToken.None)).Enqueued);
            Assert.Equal(600, app.Queue.Take<ReviewFetchRequest>(ReviewQueues.ReviewFetches).Count);
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
            await table.SubmitTransactionAsync(chunk.Select(r =>
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        }
    }

    private static Task<DateTimeOffset?> NextDueAsync(FetchScheduler scheduler, TestWorld world) =>
        scheduler.GetAsync(world.AccountId, world.AppId, CancellationToken.None)
            .ContinueWith(t => scheduler.NextDueAtAsync(t.Result!, CancellationToken.None)).Unwrap();

    /// <summary>Every table of the due index: the shard tables and ReviewFetchDue (the earlier layouts).</summary>
    private static IEnumerable<TableClient> IndexTables(TestApp app)
    {
        var tables = app.Get<TableServiceClient>();
        var partitions = app.Get<IOptions<ReviewsOptions>>().Value.DuePartitions;
        return DueIndex.AllPartitions(partitions).Select(DueIndex.TableOf).Distinct(StringComparer.Ordinal)
            .Select(tables.GetTableClient);
    }

    private static async Task<List<FetchDueEntity>> IndexRowsOfAsync(TestApp app, string appId)
    {
        var rows = new List<FetchDueEntity>();
        foreach (var due in IndexTables(app))
        {
            await foreach (var row in due.QueryAsync<FetchDueEntity>(
                TableClient.CreateQueryFilter($"AppId eq {appId}")))
            {
                rows.Add(row);
            }
        }
        return rows;
    }

    private static async Task<List<TableEntity>> PointersOfAsync(TestApp app, string accountId, string appId)
    {
        var rows = new List<TableEntity>();
        var key = DueIndex.PointerKey(accountId, appId);
        foreach (var due in IndexTables(app))
        {
            await foreach (var row in due.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {key}")))
            {
                rows.Add(row);
            }
        }
        return rows;
    }

    /// <summary>
    /// Deletes the due rows of every partition before <paramref name="before"/> (this test's fake era).
    /// </summary>
    private static async Task DeleteIndexRowsBeforeAsync(TestApp app, DateTimeOffset before)
    {
        var tables = app.Get<TableServiceClient>();
        var partitions = app.Get<IOptions<ReviewsOptions>>().Value.DuePartitions;
        foreach (var partition in DueIndex.AllPartitions(partitions))
        {
            var due = tables.GetTableClient(DueIndex.TableOf(partition));
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {partition} and RowKey lt {DueIndex.UpperBound(before)}");
            var rows = new List<TableEntity>();
            await foreach (var row in due.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"]))
            {
                rows.Add(row);
            }
            foreach (var chunk in rows.Chunk(100))
            {
                await due.SubmitTransactionAsync(
                    chunk.Select(r => new TableTransactionAction(
                        TableTransactionActionType.Delete, r, Azure.ETag.All)));
            }
        }
    }

    /// <summary>Counts the storage requests a client sends, and the queries (GETs of a table's rows) per
    /// table.</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<(string Method, string Path)> requests = new();

        public int Total => requests.Count;

        /// <summary>Batch transactions (their path names no table).</summary>
        public int Batches => requests.Count(r => r.Path.EndsWith("/$batch", StringComparison.Ordinal));

        public void Reset() => requests.Clear();

        public int Queries(string table) => requests.Count(r => r.Method == "GET" && r.Path.EndsWith($"/{table}()",
            StringComparison.Ordinal));

        public override void OnSendingRequest(HttpMessage message) =>
            requests.Enqueue((message.Request.Method.ToString(), message.Request.Uri.Path));
    }
}
