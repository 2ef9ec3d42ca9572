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
/// One timer tick over a big due index on Azurite: builds the rows the timer reads (due rows only, in 100-row batch
/// transactions, spread over the index partitions), of which some came due during the last timer period, then runs the
/// real <see cref="FetchScheduler.DispatchDueAsync"/> once with its storage requests counted by a pipeline policy and
/// its enqueues going to the Azurite queue.
/// Options: --registered N (1000000) --due N (10000) --partitions N (16).
/// </summary>
public sealed class SchedulerBenchmark : IBenchmark
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
        var index = tables.GetTableClient(TableNames.ReviewFetchDue);
        var options = services.GetRequiredService<IOptions<ReviewsOptions>>();

        Console.WriteLine(
            $"scheduler: building {registered:N0} index rows ({dueCount:N0} due) in {partitions} partitions");
        var build = Stopwatch.StartNew();
        var accountId = Ids.New();
        var hour = TimeSpan.FromHours(1);
        // Due apps came due over the last 5 minutes; the others are due over the coming hour.
        var rows = Enumerable.Range(0, registered).Select(i =>
        {
            var appId = Ids.New();
            var due = i < dueCount
                ? now.AddTicks(-1 - TimeSpan.FromMinutes(5).Ticks * i / dueCount)
                : now.AddTicks(1 + hour.Ticks * (i - dueCount) / (registered - dueCount));
            return new FetchDueEntity
            {
                PartitionKey = DueIndex.PartitionFor(appId, partitions),
                RowKey = DueIndex.KeyFor(due, accountId, appId),
                AccountId = accountId, AppId = appId, IntervalTicks = hour.Ticks,
            };
        });
        var batches = rows.GroupBy(r => r.PartitionKey).SelectMany(p => p.Chunk(TablePartitions.MaxBatch));
        var inserted = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (chunk, ct) =>
        {
            await index.SubmitTransactionAsync(
                chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)), ct);
            if (Interlocked.Add(ref inserted, chunk.Length) % 100_000 < chunk.Length)
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"  {Volatile.Read(ref inserted):N0} rows in {build.Elapsed.TotalSeconds:F0} s"));
            }
        });
        Console.WriteLine(FormattableString.Invariant($"built in {build.Elapsed.TotalSeconds:F0} s"));

        var counter = new RequestCounter();
        var counted = new TableClientOptions();
        counted.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var queue = new CountingQueue(services.GetRequiredService<IMessageQueue>());
        await services.GetRequiredService<QueueServiceClient>().GetQueueClient(QueueNames.ReviewFetches)
            .ClearMessagesAsync();
        var scheduler = new FetchScheduler(new TableServiceClient(storage, counted), queue, options, clock,
            NullLogger<FetchScheduler>.Instance);

        var tick = Stopwatch.StartNew();
        var dispatch = await scheduler.DispatchDueAsync(CancellationToken.None);
        var seconds = tick.Elapsed.TotalSeconds;
        var perDueApp = counter.Count / (double)dispatch.Enqueued;
        Console.Write(FormattableString.Invariant(
            $"tick: {dispatch.Enqueued:N0} of {registered:N0} "));
        Console.Write(FormattableString.Invariant(
            $"enqueued in {seconds:F1} s (timer period 300 s); "));
        Console.Write(FormattableString.Invariant(
            $"{counter.Count} storage requests ({counter.Queries} "));
        Console.Write(FormattableString.Invariant(
            $"index queries) = {perDueApp:F3} per due app; {queue.Sent} "));
        Console.Write(FormattableString.Invariant(
            $"enqueues = {queue.Sent / (double)dispatch.Enqueued:F2} "));
        Console.WriteLine(FormattableString.Invariant(
            $"per due app; {dispatch.Stale} rows lost to a race"));
        if (dispatch.Enqueued != dueCount)
        {
            throw new InvalidOperationException(
                $"Expected {dueCount} due apps, the tick enqueued {dispatch.Enqueued}.");
        }
        Console.Write(FormattableString.Invariant(
            $"RESULT registered={registered} due={dispatch.Enqueued} "));
        Console.WriteLine(FormattableString.Invariant(
            $"tick_s={seconds:F1} storage_requests_per_due_app={perDueApp:F3}"));
        return 0;
    }

    /// <summary>Counts the storage requests a client sends (queries and batch transactions alike).</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int count;
        private int queries;

        public int Count => count;

        public int Queries => queries;

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
