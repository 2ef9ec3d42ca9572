using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.AppStoreConnect;
using ReviewHub.Observability;
using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>What one moderation check did.</summary>
internal sealed record ModerationCheckSummary(int Checked, int Published, int Removed, int FlaggedOverdue, int Requeued,
    int OverduePending);

/// <summary>
/// Follows replies in flight: reads the due entries of the index, asks App Store Connect for each pending response's
/// state, marks published ones, flags those still pending past the moderation window as overdue, and queues again a
/// reply whose message was lost (still queued long after it should have been sent).
/// </summary>
internal sealed class ReplyModerationTracker(
    ReplyStore store,
    ReplyCredentials replyCredentials,
    CustomerReviewResponses responses,
    IMessageQueue queue,
    ReviewHubMetrics metrics,
    TimeProvider clock,
    IOptions<ReplyOptions> options,
    ILogger<ReplyModerationTracker> logger)
{
    private enum Result { StillPending, Published, Removed, Dropped, StillQueued, Requeued }

    /// <summary>
    /// Moderation checks are the least urgent use of a key's hourly budget: once a key is rate limited, or has less
    /// than this share of its budget left, its remaining checks wait for the next run, leaving the rest to review
    /// fetches and replies.
    /// </summary>
    public const double BudgetReserve = 0.2;

    public async Task<ModerationCheckSummary> CheckAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var due = new List<PendingReplyEntity>();
        await foreach (var entry in store.DuePendingAsync(now, cancellationToken))
        {
            if (due.Count == settings.ModerationMaxChecksPerRun)
            {
                break; // the rest stay due for the next run
            }
            due.Add(entry);
        }

        // One credential lookup per app per run, shared by its pending and held replies.
        var appKeys = new ConcurrentDictionary<string, Lazy<Task<ReplyKey>>>();
        var sparedKeys = new ConcurrentDictionary<string, bool>();
        int published = 0, removed = 0, flagged = 0, requeued = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = settings.ModerationParallelism,
            CancellationToken = cancellationToken },
            async (entry, token) =>
            {
                var key = appKeys.GetOrAdd($"{entry.AccountId}/{entry.AppId}",
                    _ => new Lazy<Task<ReplyKey>>(() => KeyAsync(entry, token)));
                var (result, overdue) = await CheckOneAsync(entry, key, sparedKeys, now, token);
                _ = result switch
                {
                    Result.Published => Interlocked.Increment(ref published),
                    Result.Removed => Interlocked.Increment(ref removed),
                    Result.Requeued => Interlocked.Increment(ref requeued),
                    _ => 0,
                };
                if (overdue)
                {
                    Interlocked.Increment(ref flagged);
                }
            });

        var overduePending = await store.CountPendingSentBeforeAsync(now - settings.ModerationWindow,
            cancellationToken);
        metrics.RepliesOverduePending(overduePending);
        var summary = new ModerationCheckSummary(due.Count, published, removed, flagged, requeued, overduePending);
        logger.LogInformation(
            "Moderation check: {Checked} replies in flight checked, {Published} published, {Removed} removed, " +
            "{Flagged} newly overdue, {Requeued} queued again, {OverduePending} overdue in total", summary.Checked,
                summary.Published,
            summary.Removed, summary.FlaggedOverdue, summary.Requeued, summary.OverduePending);
        return summary;
    }

    private async Task<(Result Result, bool FlaggedOverdue)> CheckOneAsync(
        PendingReplyEntity entry, Lazy<Task<ReplyKey>> appKey, ConcurrentDictionary<string, bool> sparedKeys,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The reply row is the truth; the entry only said when to look.
        var reply = await store.GetAsync(entry.AppId, entry.ReviewId, cancellationToken);
        if (reply?.StatusValue is ReplyStatus.Queued or ReplyStatus.Sending)
        {
            return (await WatchQueuedAsync(entry, reply, now, cancellationToken), false);
        }
        if (reply?.StatusValue is ReplyStatus.Paused)
        {
            return (await WatchHeldAsync(entry, reply, appKey, now, cancellationToken), false);
        }
        if (reply is null || !IsPending(reply))
        {
            await store.UntrackPendingAsync(entry, cancellationToken); // settled: published, failed, deleted or purged
            return (Result.Dropped, false);
        }

        // A degraded connection's key is not used (nor loaded): the check waits, the overdue flag still works.
        if ((await appKey.Value).Credential is { } credential && !sparedKeys.ContainsKey(credential.KeyId))
        {
            try
            {
                var (response, rateLimit) = await responses.GetAsync(credential, reply.ResponseId!, cancellationToken);
                if (rateLimit is { } budget && budget.Remaining < budget.HourlyLimit * BudgetReserve)
                {
                    sparedKeys.TryAdd(credential.KeyId, true);
                }
                if (response.Attributes?.State == CustomerReviewResponses.Published)
                {
                    await SettleAsync(entry, reply, ReplyStatus.Published, null, null, now, cancellationToken);
                    return (Result.Published, false);
                }
            }
            catch (AppStoreConnectException ex) when (ex.Failure == AppStoreConnectFailure.NotFound)
            {
                const string reason = "The response is no longer in App Store Connect: it was removed there, or " +
                    "Apple did not approve it.";
                await SettleAsync(entry, reply, ReplyStatus.Failed, ReplyFailure.RemovedFromAppStoreConnect, reason,
                    now, cancellationToken);
                return (Result.Removed, false);
            }
            catch (AppStoreConnectException ex)
            {
                if (ex.Failure == AppStoreConnectFailure.RateLimited)
                {
                    sparedKeys.TryAdd(credential.KeyId, true);
                }
                // Rate limits and outages only delay the check; the overdue flag below still works.
                logger.LogWarning("Could not read the response of review {ReviewId} (app {AppId}): {Failure}",
                    entry.ReviewId, entry.AppId, ex.Failure);
            }
        }

        var flagged = now - reply.SentAt >= options.Value.ModerationWindow && !reply.Overdue && await FlagOverdueAsync(
            reply, now, cancellationToken);
        await store.PostponeCheckAsync(entry, now + options.Value.ModerationCheckInterval, cancellationToken);
        return (Result.StillPending, flagged);
    }

    /// <summary>
    /// A queued reply normally leaves the index when it is sent. One still queued long after its last change (or due
    /// retry), with no sender at work, lost its message (an outage between writing and queuing, or the host's poison
    /// queue): queue it again. A duplicate is harmless: the sender applies each version once.
    /// </summary>
    private async Task<Result> WatchQueuedAsync(PendingReplyEntity entry, ReplyEntity reply, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var result = Result.StillQueued;
        if (!reply.IsClaimed(now, settings.SendLease) && now - (reply.NextAttemptAt
            ?? reply.UpdatedAt) >= settings.StaleQueuedAfter)
        {
            await queue.SendAsync(ReplyQueues.ReplySends,
                new ReplySendMessage(reply.AccountId, reply.AppId, reply.ReviewId, reply.Version, reply.Attempts + 1),
                    cancellationToken: cancellationToken);
            metrics.ReplyRequeued();
            logger.LogWarning("Reply version {Version} of review {ReviewId} (app {AppId}) was still {Status} since " +
                "{Since}: queued it again",
                reply.Version, reply.ReviewId, reply.AppId, reply.Status, reply.NextAttemptAt ?? reply.UpdatedAt);
            result = Result.Requeued;
        }
        await store.PostponeCheckAsync(entry, now + settings.StaleQueuedAfter, cancellationToken);
        return result;
    }

    /// <summary>
    /// A held reply waits for its connection, whose recovery releases it (<see cref="HeldReplyRelease"/>). A recovery
    /// that released nothing (a new key, a fetch that went through, a release that failed) is caught up here: once the
    /// app's key is no longer held, the reply is queued again. No call to App Store Connect while it is.
    /// </summary>
    private async Task<Result> WatchHeldAsync(PendingReplyEntity entry, ReplyEntity reply, Lazy<Task<ReplyKey>> appKey,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = Result.StillQueued;
        if ((await appKey.Value).HeldBecause is null)
        {
            await queue.SendAsync(ReplyQueues.ReplySends, HeldReplyRelease.MessageFor(reply),
                cancellationToken: cancellationToken);
            logger.LogInformation("Held reply version {Version} of review {ReviewId} (app {AppId}) released",
                reply.Version, reply.ReviewId, reply.AppId);
            result = Result.Requeued;
        }
        await store.PostponeCheckAsync(entry, now + options.Value.StaleQueuedAfter, cancellationToken);
        return result;
    }

    private async Task<bool> FlagOverdueAsync(ReplyEntity snapshot, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var flagged = false;
        await store.UpdateAsync(snapshot.AppId, snapshot.ReviewId, reply =>
        {
            flagged = IsStillPending(reply, snapshot) && !reply.Overdue;
            if (flagged)
            {
                reply.Overdue = true;
                reply.OverdueAt = now;
            }
            return flagged;
        }, cancellationToken);
        if (flagged)
        {
            metrics.ReplyFlaggedOverdue();
            logger.LogWarning("Reply to review {ReviewId} (account {AccountId}, app {AppId}) is still pending " +
                "Apple's moderation {Hours:F1} h after it was sent",
                snapshot.ReviewId, snapshot.AccountId, snapshot.AppId, (now - snapshot.SentAt!.Value).TotalHours);
        }
        return flagged;
    }

    private async Task SettleAsync(
        PendingReplyEntity entry, ReplyEntity snapshot, ReplyStatus status, ReplyFailure? failure, string? reason,
            DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await store.UpdateAsync(entry.AppId, entry.ReviewId, reply =>
        {
            if (!IsStillPending(reply, snapshot))
            {
                return false;
            }
            reply.Status = status.ToString();
            reply.PublishedAt = status == ReplyStatus.Published ? now : null;
            reply.FailureCode = failure?.ToString();
            reply.FailureReason = reason;
            if (failure is not null)
            {
                reply.ResponseId = null;
            }
            return true;
        }, cancellationToken);
        await store.SetOutcomeAsync(entry.AppId, entry.ReviewId, snapshot.Version,
            Enum.Parse<ReplyOutcome>(status.ToString()), reason,
            cancellationToken, ReplyOutcome.PendingPublish);
        await store.UntrackPendingAsync(entry, cancellationToken);
        logger.LogInformation("Reply to review {ReviewId} (app {AppId}) is now {Status}", entry.ReviewId, entry.AppId,
            status);
    }

    private static bool IsPending(ReplyEntity reply) =>
        reply.StatusValue == ReplyStatus.PendingPublish && reply.AppliedVersion == reply.Version && reply.ResponseId
            is not null && reply.SentAt is not null;

    /// <summary>Nothing changed the reply since <paramref name="snapshot"/> was read as pending.</summary>
    private static bool IsStillPending(ReplyEntity reply, ReplyEntity snapshot) =>
        IsPending(reply) && reply.Version == snapshot.Version;

    private async Task<ReplyKey> KeyAsync(PendingReplyEntity entry, CancellationToken cancellationToken)
    {
        var key = await replyCredentials.LoadAsync(entry.AccountId, entry.AppId, cancellationToken);
        if (key.Failure is { } failure)
        {
            logger.LogWarning("App {AppId} has pending replies but cannot follow them: {Failure}", entry.AppId,
                failure);
        }
        return key;
    }
}
