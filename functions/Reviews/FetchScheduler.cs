using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.AppStoreConnect;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>What one timer run did: index rows read, fetches enqueued, rows that moved or vanished meanwhile.</summary>
internal sealed record DueFetchDispatch(int Scanned, int Enqueued, int Stale);

/// <summary>
/// Per-app fetch schedules. Each app fires at a stable phase of its interval (a hash of its id), so thousands of apps
/// spread evenly instead of firing together; the interval adapts to the app's review rate
/// (<see cref="FetchIntervals"/>).
/// The due-time index is sharded over <see cref="ReviewsOptions.DuePartitions"/> partitions; the timer reads only its
/// due rows, in parallel, and moves them in batch transactions, without reading any other table.
/// </summary>
internal sealed class FetchScheduler(
    TableServiceClient tables, IMessageQueue queue, IOptions<ReviewsOptions> options, TimeProvider clock,
    ILogger<FetchScheduler> logger)
{
    /// <summary>A move is three operations (delete the due row, add the next, point at it): 33 apps a
    /// transaction.</summary>
    private const int MovesPerTransaction = TablePartitions.MaxBatch / 3;

    /// <summary>Storage calls (queries, claims, enqueues) one timer run makes at once, over all partitions.</summary>
    private const int Parallelism = 32;

    /// <summary>Attempts of a reschedule that keeps meeting the timer moving the same row.</summary>
    private const int RescheduleAttempts = 3;

    private readonly TableClient schedules = tables.GetTableClient(ReviewTables.ReviewFetchSchedules);
    private readonly ConcurrentDictionary<string, TableClient> dueTables = new(StringComparer.Ordinal);
    private volatile bool shardTablesExist;

    private ReviewsOptions Options => options.Value;

    /// <summary>The table of an index partition (<see cref="DueIndex.TableOf"/>).</summary>
    private TableClient Due(string partition) =>
        dueTables.GetOrAdd(DueIndex.TableOf(partition), tables.GetTableClient);

    /// <summary>
    /// Creates the shard tables of the index (<see cref="DueIndex.ShardName"/>) unless this instance did: their number
    /// is a setting, so they are not among the declared tables the provisioner creates. One request per shard, once
    /// per process (also after a failure: the next call tries again).
    /// </summary>
    public async Task EnsureShardTablesAsync(CancellationToken cancellationToken)
    {
        if (shardTablesExist)
        {
            return;
        }
        await Task.WhenAll(Enumerable.Range(0, Options.DuePartitions).Select(shard =>
            tables.CreateTableIfNotExistsAsync(DueIndex.ShardName(shard), cancellationToken)));
        shardTablesExist = true;
    }

    /// <summary>The promised longest interval of a source (see <see cref="FetchIntervals.Ceiling"/>).</summary>
    public TimeSpan CeilingFor(string source) => FetchIntervals.Ceiling(Options, source);

    /// <summary>
    /// The app's first slot strictly after <paramref name="now"/>: interval boundaries shifted by the app's stable
    /// jitter.
    /// </summary>
    public static DateTimeOffset NextSlotAfter(DateTimeOffset now, TimeSpan interval, string appId)
    {
        var hash = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(appId)));
        var offset = (long)(hash % (ulong)interval.Ticks);
        var sinceFirstSlot = now.UtcTicks - offset;
        var slots = Math.Floor((double)sinceFirstSlot / interval.Ticks);
        var next = offset + ((long)slots + 1) * interval.Ticks;
        return new DateTimeOffset(next <= now.UtcTicks ? next + interval.Ticks : next, TimeSpan.Zero);
    }

    public async Task<FetchScheduleEntity?> GetAsync(
        string accountId, string appId, CancellationToken cancellationToken)
    {
        var row = await schedules.GetEntityIfExistsAsync<FetchScheduleEntity>(
            accountId, appId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>When the app is due next, from its index pointer (null: not indexed yet or any more).</summary>
    public async Task<DateTimeOffset?> NextDueAtAsync(FetchScheduleEntity schedule, CancellationToken cancellationToken)
    {
        var pointer = await ReadPointerAsync(PartitionOf(schedule), schedule.AccountId, schedule.AppId,
            cancellationToken);
        return pointer is null ? null : DueIndex.DueAtOf(pointer.DueKey);
    }

    /// <summary>
    /// Schedules a newly registered app from its source (the public feed for an App Store app, Google
    /// Play for an Android app), due at once (its first fetch runs at the next timer tick). Idempotent: a repeated call
    /// finds the schedule and makes sure its index entry exists.
    /// </summary>
    public Task CreateAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        CreateAsync(accountId, appId, ReviewSources.Feed, cancellationToken);

    /// <inheritdoc cref="CreateAsync(string, string, CancellationToken)"/>
    public async Task CreateAsync(string accountId, string appId, string source, CancellationToken cancellationToken)
    {
        if (await GetAsync(accountId, appId, cancellationToken) is { } existing)
        {
            await AddIndexAsync(existing, cancellationToken);
            return;
        }
        var schedule = new FetchScheduleEntity
        {
            PartitionKey = accountId,
            RowKey = appId,
            Source = source,
            IntervalTicks = CeilingFor(source).Ticks,
            DuePartition = DueIndex.PartitionFor(appId, Options.DuePartitions),
        };
        // Index first: a schedule whose index entry is missing would never fire; an entry without a schedule fires,
        // and the fetch re-creates the schedule.
        await AddIndexAsync(schedule, cancellationToken);
        if (!await schedules.TryAddAsync(schedule, cancellationToken)
            && await GetAsync(accountId, appId, cancellationToken) is { } raced)
        {
            await AddIndexAsync(raced, cancellationToken);
        }
    }

    /// <summary>
    /// Records a completed fetch: the app's review rate and the interval it leads to (applied to the index by
    /// <see cref="UpdateAsync"/>). <paramref name="budget"/>: the key's last <c>X-Rate-Limit</c>, null for the feed.
    /// </summary>
    public void Observe(FetchScheduleEntity schedule, string source, int newReviews, RateLimit? budget)
    {
        var now = clock.GetUtcNow();
        schedule.Source = source;
        schedule.ReviewRate = schedule.ReviewRateAt is { } since
            ? FetchIntervals.NextRate(schedule.ReviewRate, now - since, newReviews, Options.ReviewRateWindow)
            : 0; // the first observation only starts the clock: what it found may have piled up for any time
        schedule.ReviewRateAt = now;
        schedule.ReviewRateSince ??= now;
        var rate = FetchIntervals.Estimate(schedule.ReviewRate, now - schedule.ReviewRateSince.Value,
            Options.ReviewRateWindow);
        schedule.IntervalTicks = FetchIntervals.For(Options, source, rate, budget).Ticks;
    }

    /// <summary>
    /// The app's integration was disconnected: back to the public feed's interval from its next slot; an unfinished
    /// API history import is dropped (its cursor belongs to the deleted key), the watermarks and saved reviews stay.
    /// Idempotent: no write when the schedule is on the feed already.
    /// </summary>
    public Task FallBackToFeedAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        UpdateAsync(accountId, appId, s =>
        {
            if (s.Source == ReviewSources.Feed && !s.BackfillPending && s.BackfillCursor is null)
            {
                return false;
            }
            s.Source = ReviewSources.Feed;
            s.BackfillPending = false;
            s.BackfillCursor = null;
            s.BackfillNewest = null;
            s.BackfillOldest = null;
            s.BackfillPagesWithoutProgress = 0;
            s.IntervalTicks = CeilingFor(ReviewSources.Feed).Ticks; // the index entry moves with it
            return true;
        }, cancellationToken);

    /// <summary>
    /// Changes the schedule through <paramref name="mutate"/> (ETag read-modify-write). When its interval changed (a
    /// new review rate, a change of source), the index entry is moved first: to the new interval's next slot, unless
    /// its current slot is still ahead and sooner (then it keeps it and takes the new interval from there). Returns
    /// null when the app has no schedule (also when its purge deleted it during the update).
    /// </summary>
    public async Task<FetchScheduleEntity?> UpdateAsync(
        string accountId, string appId, Func<FetchScheduleEntity, bool> mutate, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await GetAsync(accountId, appId, cancellationToken) is not { } schedule)
            {
                return null;
            }
            var interval = IntervalOf(schedule);
            if (!mutate(schedule))
            {
                return schedule;
            }
            if (IntervalOf(schedule) != interval)
            {
                await RescheduleAsync(schedule, keepSoonerSlot: IntervalOf(schedule) < interval, cancellationToken);
            }
            try
            {
                await schedules.UpdateEntityAsync(schedule, schedule.ETag, TableUpdateMode.Replace, cancellationToken);
                return schedule;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                if (attempt >= OptimisticConcurrency.DefaultAttempts)
                {
                    throw new ConcurrencyConflictException(
                        $"Fetch schedule {accountId}/{appId} kept changing during {attempt} update attempts.", ex);
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null; // purged meanwhile; its purge removes the index entry too
            }
        }
    }

    /// <summary>
    /// The timer's work: in every index partition at once, read the due rows (oldest first), claim them by moving each
    /// to its next slot (33 apps per transaction) and enqueue one fetch per claimed app; the claims and enqueues of all
    /// partitions run concurrently, at most <see cref="Parallelism"/> storage calls at a time. Per due app that is one
    /// enqueue and a small fraction of a storage request; nothing else is read: removed apps are skipped by the fetch,
    /// and a row that moved or vanished meanwhile makes its move fail (ETag), so no row outlives a purge.
    /// </summary>
    public async Task<DueFetchDispatch> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await EnsureShardTablesAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var budget = new DispatchBudget(Options.MaxEnqueuesPerRun);
        using var calls = new SemaphoreSlim(Parallelism);
        var results = await Task.WhenAll(DueIndex.AllPartitions(Options.DuePartitions)
            .Select(partition => DispatchPartitionAsync(partition, now, budget, calls, cancellationToken)));
        var total = new DueFetchDispatch(
            results.Sum(r => r.Scanned), results.Sum(r => r.Enqueued), results.Sum(r => r.Stale));
        if (total.Scanned > 0)
        {
            logger.LogInformation(
                "Review fetch timer enqueued {Enqueued} due apps ({Stale} rows moved or removed meanwhile)",
                total.Enqueued, total.Stale);
        }
        return total;
    }

    private async Task<DueFetchDispatch> DispatchPartitionAsync(
        string partition, DateTimeOffset now, DispatchBudget budget, SemaphoreSlim calls,
        CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey lt {DueIndex.UpperBound(now)}");
        int scanned = 0, enqueued = 0;
        await using var pages = Due(partition).QueryPagesAsync<FetchDueEntity>(filter, 1000,
            cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await CallAsync(calls, () => pages.MoveNextAsync().AsTask(), cancellationToken))
        {
            var rows = pages.Current.Values.Take(budget.Claim(pages.Current.Values.Count)).ToList();
            scanned += rows.Count;
            var claimed = await Task.WhenAll(rows.Chunk(MovesPerTransaction)
                .Select(chunk => ClaimAndEnqueueAsync(chunk, now, calls, cancellationToken)));
            enqueued += claimed.Sum();
            if (budget.Spent)
            {
                break;
            }
        }
        return new DueFetchDispatch(scanned, enqueued, scanned - enqueued);
    }

    /// <summary>
    /// Claims due rows by moving them to their next slots, then enqueues a fetch for each row it moved. Claiming first
    /// means a second timer run reading the same rows (an overrun) enqueues none of them again; a crash between the
    /// claim and the enqueue leaves the app to its next slot, one interval late once. Returns how many it enqueued.
    /// </summary>
    private async Task<int> ClaimAndEnqueueAsync(
        FetchDueEntity[] rows, DateTimeOffset now, SemaphoreSlim calls, CancellationToken cancellationToken)
    {
        var claimed = await CallAsync(calls, () => MoveAsync(rows, now, cancellationToken), cancellationToken);
        await Task.WhenAll(claimed.Select(row => CallAsync(calls, async () =>
        {
            await queue.SendAsync(ReviewQueues.ReviewFetches, new ReviewFetchRequest(row.AccountId, row.AppId),
                cancellationToken: cancellationToken);
            return true;
        }, cancellationToken)));
        return claimed.Count;
    }

    /// <summary>Runs one storage call of a timer run inside its concurrency bound.</summary>
    private static async Task<T> CallAsync<T>(
        SemaphoreSlim calls, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        await calls.WaitAsync(cancellationToken);
        try
        {
            return await call();
        }
        finally
        {
            calls.Release();
        }
    }

    /// <summary>
    /// Moves due rows to their next slots in one transaction; returns the rows it moved (all, unless one of them moved
    /// or vanished since it was read: then the others are moved one by one).
    /// </summary>
    private async Task<IReadOnlyList<FetchDueEntity>> MoveAsync(
        FetchDueEntity[] rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await Due(rows[0].PartitionKey).SubmitTransactionAsync(rows.SelectMany(row => MoveActions(row, now)),
                cancellationToken);
            return rows;
        }
        catch (TableTransactionFailedException)
        {
            var moved = new List<FetchDueEntity>(rows.Length);
            foreach (var row in rows)
            {
                try
                {
                    await Due(row.PartitionKey).SubmitTransactionAsync(MoveActions(row, now), cancellationToken);
                    moved.Add(row);
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
                {
                    // Moved by an interval change or another timer run, or removed by a purge, since it was read.
                }
            }
            return moved;
        }
    }

    private IEnumerable<TableTransactionAction> MoveActions(FetchDueEntity row, DateTimeOffset now)
    {
        // A row without an interval predates adaptive intervals: the shorter ceiling keeps every promise.
        var interval = row.IntervalTicks > 0 ? row.Interval : Options.ApiInterval;
        var next = DueIndex.KeyFor(NextSlotAfter(now, interval, row.AppId), row.AccountId, row.AppId);
        // The delete carries the ETag read: if the row changed or vanished, the whole move fails and writes nothing.
        yield return new TableTransactionAction(TableTransactionActionType.Delete, row, row.ETag);
        yield return new TableTransactionAction(TableTransactionActionType.Add, new FetchDueEntity
        {
            PartitionKey = row.PartitionKey, RowKey = next, AccountId = row.AccountId, AppId = row.AppId,
            IntervalTicks = interval.Ticks,
        });
        yield return new TableTransactionAction(TableTransactionActionType.UpsertReplace, new FetchDuePointer
        {
            PartitionKey = row.PartitionKey, RowKey = DueIndex.PointerKey(row.AccountId, row.AppId), DueKey = next,
        });
    }

    /// <summary>
    /// Gives the app's index entry the schedule's interval: its due row moves to the interval's next slot, unless the
    /// interval got shorter and the current slot is still ahead and sooner. A longer interval always takes its own next
    /// slot: the feed probe's App Store Connect fetch falls on the app's hourly slots, and a probe slot kept after the
    /// app went back to hourly would be an extra App Store Connect fetch. Guarded by the pointer's ETag; a timer move
    /// in between is met by reading the pointer again.
    /// </summary>
    private async Task RescheduleAsync(
        FetchScheduleEntity schedule, bool keepSoonerSlot, CancellationToken cancellationToken)
    {
        var partition = PartitionOf(schedule);
        var interval = IntervalOf(schedule);
        for (var attempt = 1; attempt <= RescheduleAttempts; attempt++)
        {
            var pointer = await ReadPointerAsync(partition, schedule.AccountId, schedule.AppId, cancellationToken);
            if (pointer is null)
            {
                return; // removed, or a row of the unsharded index the timer has not moved yet (it adds the pointer)
            }
            var now = clock.GetUtcNow();
            var current = DueIndex.DueAtOf(pointer.DueKey);
            var next = NextSlotAfter(now, interval, schedule.AppId);
            // A row due already is not fetched again: the caller has just fetched the app or queued its fetch.
            var key = DueIndex.KeyFor(
                keepSoonerSlot && current > now && current < next ? current : next, schedule.AccountId, schedule.AppId);
            var row = new FetchDueEntity
            {
                PartitionKey = partition, RowKey = key, AccountId = schedule.AccountId, AppId = schedule.AppId,
                IntervalTicks = interval.Ticks,
            };
            var oldKey = pointer.DueKey;
            pointer.DueKey = key;
            TableTransactionAction[] actions = key == oldKey
                ?
                [
                    new(TableTransactionActionType.UpdateReplace, row, ETag.All),
                    new(TableTransactionActionType.UpdateReplace, pointer, pointer.ETag),
                ]
                :
                [
                    new(TableTransactionActionType.Delete,
                        new FetchDueEntity { PartitionKey = partition, RowKey = oldKey }, ETag.All),
                    new(TableTransactionActionType.Add, row),
                    new(TableTransactionActionType.UpdateReplace, pointer, pointer.ETag),
                ];
            try
            {
                await Due(partition).SubmitTransactionAsync(actions, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // The timer moved the row meanwhile (or a purge removed it): read the pointer again.
            }
        }
        logger.LogWarning(
            "The index entry of {AccountId}/{AppId} kept moving; it keeps its interval until the next change",
            schedule.AccountId, schedule.AppId);
    }

    /// <summary>
    /// Removes the app's schedule and its index entry (app removed). The entry is found from the app's ids: the
    /// partition named on the schedule and the one its id hashes to (an entry written before its schedule), and the
    /// unsharded partition by app id. The schedule goes last, so a pass that stops half-way is completed by the next.
    /// Idempotent.
    /// </summary>
    public async Task RemoveAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var schedule = await GetAsync(accountId, appId, cancellationToken);
        var partitions = new[]
            {
                schedule?.DuePartition, DueIndex.PartitionFor(appId, Options.DuePartitions),
                DueIndex.OneTablePartitionFor(appId, Options.DuePartitions),
            }
            .OfType<string>().Distinct(StringComparer.Ordinal);
        foreach (var partition in partitions)
        {
            await RemoveEntryAsync(partition, accountId, appId, cancellationToken);
        }
        var legacy = TableClient.CreateQueryFilter(
            $"PartitionKey eq {DueIndex.LegacyPartition} and AppId eq {appId}");
        await foreach (var row in Due(DueIndex.LegacyPartition).QueryRowsAsync<FetchDueEntity>(legacy,
            select: ["PartitionKey", "RowKey"],
            cancellationToken: cancellationToken))
        {
            await DeleteIfExistsAsync(row.PartitionKey, row.RowKey, cancellationToken);
        }
        await RemoveEntryAsync(DueIndex.LegacyPartition, accountId, appId, cancellationToken);
        try
        {
            await schedules.DeleteEntityAsync(accountId, appId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never scheduled, or removed by an earlier purge pass.
        }
    }

    private async Task RemoveEntryAsync(
        string partition, string accountId, string appId, CancellationToken cancellationToken)
    {
        RequestFailedException? lost = null;
        for (var attempt = 1; attempt <= OptimisticConcurrency.DefaultAttempts; attempt++)
        {
            if (await ReadPointerAsync(partition, accountId, appId, cancellationToken) is not { } pointer)
            {
                return;
            }
            await DeleteIfExistsAsync(partition, pointer.DueKey, cancellationToken);
            try
            {
                // Conditional: a timer move in between wrote a new due row, which the next round deletes.
                await Due(partition).DeleteEntityAsync(partition, pointer.RowKey, pointer.ETag, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                lost = ex; // moved or removed meanwhile: read it again
            }
        }
        throw new ConcurrencyConflictException(
            $"The index entry of {accountId}/{appId} kept moving during its removal.", lost!);
    }

    /// <summary>Adds the app's index entry, due now, unless it has one (the pointer exists).</summary>
    private async Task AddIndexAsync(FetchScheduleEntity schedule, CancellationToken cancellationToken)
    {
        if (schedule.DuePartition is not { } partition)
        {
            return; // scheduled in the unsharded index, where its row lives on
        }
        await EnsureShardTablesAsync(cancellationToken);
        var key = DueIndex.KeyFor(clock.GetUtcNow(), schedule.AccountId, schedule.AppId);
        try
        {
            await Due(partition).SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.Add, new FetchDuePointer
                {
                    PartitionKey = partition, RowKey = DueIndex.PointerKey(schedule.AccountId, schedule.AppId),
                    DueKey = key,
                }),
                new TableTransactionAction(TableTransactionActionType.Add, new FetchDueEntity
                {
                    PartitionKey = partition, RowKey = key, AccountId = schedule.AccountId, AppId = schedule.AppId,
                    IntervalTicks = IntervalOf(schedule).Ticks,
                }),
            ], cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Indexed already.
        }
    }

    private async Task<FetchDuePointer?> ReadPointerAsync(
        string partition, string accountId, string appId, CancellationToken cancellationToken)
    {
        var row = await Due(partition).GetEntityIfExistsAsync<FetchDuePointer>(
            partition, DueIndex.PointerKey(accountId, appId), cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    private async Task DeleteIfExistsAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await Due(partition).DeleteEntityAsync(partition, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }

    private static string PartitionOf(FetchScheduleEntity schedule) =>
        schedule.DuePartition ?? DueIndex.LegacyPartition;

    private TimeSpan IntervalOf(FetchScheduleEntity schedule) =>
        schedule.IntervalTicks > 0 ? schedule.Interval : CeilingFor(schedule.Source);

    /// <summary>The enqueues one timer run may still make, shared by the partitions it reads in parallel.</summary>
    private sealed class DispatchBudget(int limit)
    {
        private int left = limit;

        public bool Spent => Volatile.Read(ref left) <= 0;

        /// <summary>Takes up to <paramref name="wanted"/> of what is left; returns how many it got.</summary>
        public int Claim(int wanted)
        {
            while (true)
            {
                var before = Volatile.Read(ref left);
                var granted = Math.Min(before, wanted);
                if (granted <= 0 || Interlocked.CompareExchange(ref left, before - granted, before) == before)
                {
                    return Math.Max(granted, 0);
                }
            }
        }
    }
}
