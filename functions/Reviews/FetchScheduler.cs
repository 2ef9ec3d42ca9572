using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Apps;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>What one timer run did: index rows read, fetches enqueued, stale index rows dropped.</summary>
public sealed record DueFetchDispatch(int Scanned, int Enqueued, int Stale);

/// <summary>
/// Per-app fetch schedules. Each app fires at a stable phase of its interval (a hash of its id), so thousands of apps spread
/// evenly instead of firing together; the due-time index lets the timer read only the apps that are due.
/// </summary>
public sealed class FetchScheduler(
    TableServiceClient tables, AppStore apps, IMessageQueue queue, IOptions<ReviewsOptions> options, TimeProvider clock,
    ILogger<FetchScheduler> logger)
{
    /// <summary>How long an index row without a matching schedule is kept (see <see cref="DispatchDueAsync"/>).</summary>
    private static readonly TimeSpan StaleGrace = TimeSpan.FromMinutes(10);

    private readonly TableClient schedules = tables.GetTableClient(TableNames.ReviewFetchSchedules);
    private readonly TableClient due = tables.GetTableClient(TableNames.ReviewFetchDue);

    public TimeSpan IntervalFor(string source) =>
        source == ReviewSources.AppStoreConnect ? options.Value.ApiInterval : options.Value.FeedInterval;

    /// <summary>The app's first slot strictly after <paramref name="now"/>: interval boundaries shifted by the app's stable jitter.</summary>
    public static DateTimeOffset NextSlotAfter(DateTimeOffset now, TimeSpan interval, string appId)
    {
        var hash = BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(appId)));
        var offset = (long)(hash % (ulong)interval.Ticks);
        var sinceFirstSlot = now.UtcTicks - offset;
        var slots = Math.Floor((double)sinceFirstSlot / interval.Ticks);
        var next = offset + ((long)slots + 1) * interval.Ticks;
        return new DateTimeOffset(next <= now.UtcTicks ? next + interval.Ticks : next, TimeSpan.Zero);
    }

    public async Task<FetchScheduleEntity?> GetAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var row = await schedules.GetEntityIfExistsAsync<FetchScheduleEntity>(accountId, appId, cancellationToken: cancellationToken);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>Schedules a newly registered app from the public feed, due at once (its first fetch runs at the next timer tick). Idempotent.</summary>
    public async Task CreateAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var schedule = new FetchScheduleEntity
        {
            PartitionKey = accountId,
            RowKey = appId,
            Source = ReviewSources.Feed,
            NextDueAt = clock.GetUtcNow(),
        };
        // Index first: a schedule row whose index row is missing would never fire.
        await due.UpsertEntityAsync(FetchDueEntity.For(schedule), TableUpdateMode.Replace, cancellationToken);
        if (!await schedules.TryAddAsync(schedule, cancellationToken)
            && await GetAsync(accountId, appId, cancellationToken) is { } existing && existing.DueKey != schedule.DueKey)
        {
            // Already scheduled (a repeated call): drop the index row just written and make sure the real one exists.
            await due.UpsertEntityAsync(FetchDueEntity.For(existing), TableUpdateMode.Replace, cancellationToken);
            await DeleteDueAsync(schedule.DueKey, cancellationToken);
        }
    }

    /// <summary>
    /// Changes the schedule (through <paramref name="mutate"/>, which may also move <see cref="FetchScheduleEntity.NextDueAt"/>)
    /// and keeps the index in step: the new index row is written before the schedule (a schedule pointing at a missing row
    /// would never fire again; a leftover row is harmless and dropped by the timer), the old row is deleted after it.
    /// Returns null when the app has no schedule (also when its purge deleted it during the update).
    /// </summary>
    public Task<FetchScheduleEntity?> UpdateAsync(
        string accountId, string appId, Func<FetchScheduleEntity, bool> mutate, CancellationToken cancellationToken) =>
        UpdateAsync(accountId, appId, read: null, mutate, cancellationToken);

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
            s.NextDueAt = NextSlotAfter(clock.GetUtcNow(), IntervalFor(ReviewSources.Feed), appId);
            return true;
        }, cancellationToken);

    /// <param name="read">The schedule as the caller just read it (saves a read); a lost race re-reads it.</param>
    private async Task<FetchScheduleEntity?> UpdateAsync(
        string accountId, string appId, FetchScheduleEntity? read, Func<FetchScheduleEntity, bool> mutate,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var schedule = attempt == 1 && read is not null
                ? read
                : await GetAsync(accountId, appId, cancellationToken);
            if (schedule is null)
            {
                return null;
            }
            var oldKey = schedule.DueKey;
            if (!mutate(schedule))
            {
                return schedule;
            }
            var moved = schedule.DueKey != oldKey;
            if (moved)
            {
                await due.UpsertEntityAsync(FetchDueEntity.For(schedule), TableUpdateMode.Replace, cancellationToken);
            }
            try
            {
                await schedules.UpdateEntityAsync(schedule, schedule.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                if (attempt >= OptimisticConcurrency.DefaultAttempts)
                {
                    throw new ConcurrencyConflictException($"Fetch schedule {accountId}/{appId} kept changing during {attempt} update attempts.", ex);
                }
                continue;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The app's purge deleted the schedule meanwhile: the index row just written would point at nothing.
                if (moved)
                {
                    await DeleteDueAsync(schedule.DueKey, cancellationToken);
                }
                return null;
            }
            if (moved)
            {
                await DeleteDueAsync(oldKey, cancellationToken);
            }
            return schedule;
        }
    }

    /// <summary>
    /// The timer's work: read the due part of the index, enqueue one fetch per due app and move it to its next slot.
    /// Cost is proportional to the due apps; the apps that are not due are never read.
    /// </summary>
    public async Task<DueFetchDispatch> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var limit = options.Value.MaxEnqueuesPerRun;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {FetchDueEntity.Partition} and RowKey lt {FetchDueEntity.UpperBound(now)}");
        int scanned = 0, enqueued = 0, stale = 0;
        await foreach (var row in due.QueryRowsAsync<FetchDueEntity>(filter, Math.Min(limit, 1000),
            cancellationToken: cancellationToken))
        {
            if (++scanned > limit)
            {
                scanned--;
                break;
            }
            var schedule = await GetAsync(row.AccountId, row.AppId, cancellationToken);
            if (schedule is null || schedule.DueKey != row.RowKey)
            {
                // The app was removed, or its schedule moved and this row is a leftover of an interrupted move. A row that
                // came due only just now may instead belong to a schedule write still in flight: it is left for a later run.
                if (row.DueAt < now - StaleGrace)
                {
                    await DeleteDueAsync(row.RowKey, cancellationToken);
                }
                stale++;
                continue;
            }
            if (await apps.GetAsync(row.AccountId, row.AppId, cancellationToken) is null)
            {
                // Removed, its purge pending: moving its index row now could outlive the purge (see
                // AppRemovalFunction).
                stale++;
                continue;
            }
            await queue.SendAsync(QueueNames.ReviewFetches, new ReviewFetchRequest(row.AccountId, row.AppId), cancellationToken: cancellationToken);
            var next = NextSlotAfter(now, IntervalFor(schedule.Source), row.AppId);
            await UpdateAsync(row.AccountId, row.AppId, schedule, s =>
            {
                if (s.NextDueAt > now)
                {
                    return false; // moved meanwhile (e.g. an integration became active)
                }
                s.NextDueAt = next;
                return true;
            }, cancellationToken);
            enqueued++;
        }
        if (enqueued > 0 || stale > 0)
        {
            logger.LogInformation("Review fetch timer enqueued {Enqueued} due apps ({Stale} stale index rows dropped)", enqueued, stale);
        }
        return new DueFetchDispatch(scanned, enqueued, stale);
    }

    /// <summary>
    /// Removes the app's schedule and every index row of the app (app removed). Index rows are keyed by due time, so
    /// they are found by the app id (one filtered read of the index partition): a row written by a schedule move in
    /// flight, which no schedule points at, is found too. Idempotent.
    /// </summary>
    public async Task RemoveAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        try
        {
            await schedules.DeleteEntityAsync(accountId, appId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never scheduled, or removed by an earlier purge pass.
        }
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {FetchDueEntity.Partition} and AppId eq {appId}");
        await foreach (var row in due.QueryRowsAsync<FetchDueEntity>(filter, select: ["PartitionKey", "RowKey"],
            cancellationToken: cancellationToken))
        {
            await DeleteDueAsync(row.RowKey, cancellationToken);
        }
    }

    private async Task DeleteDueAsync(string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            await due.DeleteEntityAsync(FetchDueEntity.Partition, rowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Already gone.
        }
    }
}
