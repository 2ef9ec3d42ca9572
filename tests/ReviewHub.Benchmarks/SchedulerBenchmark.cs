using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ReviewHub.Reviews;
using ReviewHub.Storage;
using ReviewHub.Tests.Infrastructure;

namespace ReviewHub.Benchmarks;

/// <summary>
/// One timer tick over a big due index on Azurite: builds the rows the timer reads and writes (a due row per app, and
/// the pointer of each app that is due; no schedules: see <see cref="BuildIndexAsync"/>) in the shard tables, of which
/// some came due during the last timer period, then runs the real <see cref="FetchScheduler.DispatchDueAsync"/> once
/// with its storage requests counted by a pipeline policy and its enqueues going to the Azurite queue.
/// Options: --registered N (1000000) --due N (10000) --partitions N (16).
/// </summary>
internal sealed class SchedulerBenchmark : IBenchmark
{
    public string Name => "scheduler";

    public async Task<int> RunAsync(string[] args)
    {
        var registered = IngestionBenchmark.Option(args, "--registered", 1_000_000);
        var dueCount = IngestionBenchmark.Option(args, "--due", 10_000);
        var partitions = IngestionBenchmark.Option(args, "--partitions", 16);
        var storage = await Azurite.ConnectionStringAsync();
        var now = new DateTimeOffset(2032, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(now);
        await using var services = IngestionBenchmark.BuildServices(storage, new Uri("http://127.0.0.1:9"),
            settings: new Dictionary<string, string?>
            {
                ["Reviews:DuePartitions"] = partitions.ToString(CultureInfo.InvariantCulture),
                ["Reviews:MaxEnqueuesPerRun"] = "100000",
            });
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var tables = services.GetRequiredService<TableServiceClient>();
        var options = services.GetRequiredService<IOptions<ReviewsOptions>>();
        await services.GetRequiredService<FetchScheduler>().EnsureShardTablesAsync(CancellationToken.None);

        Console.WriteLine(
            $"scheduler: building {registered:N0} index rows ({dueCount:N0} due) in {partitions} shard tables");
        var accountId = Ids.New();
        var built = await BuildIndexAsync(tables, accountId, now, registered, dueCount, partitions);
        Console.WriteLine(FormattableString.Invariant($"built in {built.TotalSeconds:F0} s"));

        var counter = new RequestCounter();
        var counted = new TableClientOptions();
        counted.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var queue = new CountingQueue(services.GetRequiredService<IMessageQueue>());
        await services.GetRequiredService<QueueServiceClient>().GetQueueClient(ReviewQueues.ReviewFetches)
            .ClearMessagesAsync();
        var scheduler = new FetchScheduler(new TableServiceClient(storage, counted), queue, options, clock,
            NullLogger<FetchScheduler>.Instance);
        await scheduler.EnsureShardTablesAsync(CancellationToken.None); // once per process: not part of a tick
        counter.Reset();

        var tick = Stopwatch.StartNew();
        var dispatch = await scheduler.DispatchDueAsync(CancellationToken.None);
        var seconds = tick.Elapsed.TotalSeconds;
        var perDueApp = counter.Count / (double)dispatch.Enqueued;
        Console.WriteLine(FormattableString.Invariant(
            $"tick: {dispatch.Enqueued:N0} of {registered:N0} enqueued in {seconds:F1} s (timer period 300 s); ") +
            FormattableString.Invariant(
            $"{counter.Count} storage requests ({counter.Queries} index queries) = {perDueApp:F3} per due app; ") +
            FormattableString.Invariant(
            $"{queue.Sent} enqueues = {queue.Sent / (double)dispatch.Enqueued:F2} per due app; ") +
            FormattableString.Invariant($"{dispatch.Stale} rows lost to a race"));
        if (dispatch.Enqueued != dueCount || queue.Sent != dueCount)
        {
            throw new InvalidOperationException(
                $"Expected {dueCount} due apps, the tick enqueued {dispatch.Enqueued} ({queue.Sent} messages).");
        }
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT registered={registered} due={dispatch.Enqueued} tick_s={seconds:F1} ") +
            FormattableString.Invariant(
            $"storage_requests_per_due_app={perDueApp:F3} build_s={built.TotalSeconds:F0}"));
        return 0;
    }

    /// <summary>
    /// Writes the index rows of a tick in batch transactions of 100 rows of one shard, 8 at a time; returns how long
    /// that took. The due rows came due over the last 5 minutes, spread over the shards by app id, each with its
    /// pointer (the tick moves both). The others are due over the coming hour, shard by shard (shard k's in the k-th
    /// slice of the hour), written in key order: Azurite (LokiJS) keeps one sorted array per indexed key of a table,
    /// and writing out of key order costs it a shift of the whole array per row, which made a million rows take hours
    /// here. The tick reads only rows due now, so where a later row falls in the hour does not change its work; the
    /// pointers of apps not due now are not written (the tick does not touch them; on Azurite they would make each
    /// table twice as large, and each of the tick's row deletes and updates costs in proportion to its table).
    /// </summary>
    private static async Task<TimeSpan> BuildIndexAsync(
        TableServiceClient tables, string accountId, DateTimeOffset now, int registered, int dueCount, int partitions)
    {
        var build = Stopwatch.StartNew();
        var hour = TimeSpan.FromHours(1);
        FetchDueEntity Row(string shard, DateTimeOffset due, string appId) => new()
        {
            PartitionKey = shard, RowKey = DueIndex.KeyFor(due, accountId, appId),
            AccountId = accountId, AppId = appId, IntervalTicks = hour.Ticks,
        };
        var dueRows = Enumerable.Range(0, dueCount).Select(i =>
        {
            var appId = Ids.New();
            return Row(DueIndex.PartitionFor(appId, partitions),
                now.AddTicks(-1 - TimeSpan.FromMinutes(5).Ticks * i / dueCount), appId);
        }).ToList();
        var pointers = dueRows.Select(r => (ITableEntity)new FetchDuePointer
        {
            PartitionKey = r.PartitionKey, RowKey = DueIndex.PointerKey(accountId, r.AppId), DueKey = r.RowKey,
        });
        var later = registered - dueCount;
        var laterRows = Enumerable.Range(0, later).Select(i =>
        {
            var shard = (int)((long)i * partitions / later);
            return (ITableEntity)Row(DueIndex.ShardName(shard), now.AddTicks(1 + hour.Ticks * i / later), Ids.New());
        });
        var batches = dueRows.Cast<ITableEntity>().Concat(pointers).GroupBy(r => r.PartitionKey)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .SelectMany(p => p.OrderBy(r => r.RowKey, StringComparer.Ordinal).Chunk(TablePartitions.MaxBatch))
            .Concat(laterRows.Chunk(TablePartitions.MaxBatch)
                .SelectMany(chunk => chunk.GroupBy(r => r.PartitionKey).Select(g => g.ToArray())));
        var inserted = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (chunk, ct) =>
        {
            await tables.GetTableClient(chunk[0].PartitionKey).SubmitTransactionAsync(
                chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct);
            if (Interlocked.Add(ref inserted, chunk.Length) % 100_000 < chunk.Length)
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"  {Volatile.Read(ref inserted):N0} rows in {build.Elapsed.TotalSeconds:F0} s"));
            }
        });
        return build.Elapsed;
    }

    /// <summary>Counts the storage requests a client sends (queries and batch transactions alike).</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int count;
        private int queries;

        public int Count => count;

        public int Queries => queries;

        public void Reset() => (count, queries) = (0, 0);

        public override void OnSendingRequest(HttpMessage message)
        {
            Interlocked.Increment(ref count);
            if (message.Request.Method == RequestMethod.Get)
            {
                Interlocked.Increment(ref queries);
            }
        }
    }

    private sealed class CountingQueue(IMessageQueue inner) : IMessageQueue
    {
        private int sent;

        public int Sent => sent;

        public Task SendAsync<TMessage>(
            string queueName, TMessage message, TimeSpan? visibilityDelay = null,
            CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref sent);
            return inner.SendAsync(queueName, message, visibilityDelay, cancellationToken);
        }
    }
}
