using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using ReviewHub.Observability;
using ReviewHub.Reviews;
using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>
/// The reply rows, their audit trail, the pending index and the reply summary on the review. Every change is an ETag
/// read-modify-write, so concurrent requests and senders never lose each other's updates.
/// </summary>
internal sealed class ReplyStore(
    TableServiceClient tables, ReviewReplySummary summaries, ReviewHubMetrics metrics,
    TimeProvider clock, IOptions<ReplyOptions> options, IEnumerable<IReplyStatusObserver> observers)
{
    private readonly TableClient replies = tables.GetTableClient(ReplyTables.Replies);
    private readonly TableClient history = tables.GetTableClient(ReplyTables.ReplyHistory);
    private readonly TableClient pending = tables.GetTableClient(ReplyTables.ReplyPending);

    public async Task<ReplyEntity?> GetAsync(string appId, string reviewId, CancellationToken cancellationToken)
    {
        return await replies.FindAsync<ReplyEntity>(appId, reviewId, cancellationToken);
    }

    /// <summary>
    /// Writes the first version of a reply only if the review has none — no reply through ReviewHub (in any state,
    /// deleted included: a person decided) and no response App Store Connect reported. This is the one way automatic
    /// replies and approved drafts are written: a conditional insert, so a person's concurrent write and this one
    /// never both win, and whichever lands second is applied on top of the first (a person's PUT) or dropped (this).
    /// Null when the review already has a reply.
    /// </summary>
    public async Task<ReplyRequestResult?> CreateIfAbsentAsync(
        ReviewEntity review, string body, string requestedBy, string? ruleId, string? via,
        CancellationToken cancellationToken)
    {
        if (review.ResponseId is not null)
        {
            return null;
        }
        var created = new ReplyEntity
        {
            PartitionKey = review.AppId,
            RowKey = review.ReviewId,
            AccountId = review.AccountId,
        };
        NewVersion(created, ReplyAction.Publish, body, requestedBy, clock.GetUtcNow());
        created.RuleId = ruleId;
        if (!await replies.TryAddAsync(created, cancellationToken))
        {
            return null;
        }
        await RecordVersionAsync(created, null, cancellationToken, via);
        await SyncSummaryAsync(created, cancellationToken);
        return new ReplyRequestResult(created, NeedsSend: true);
    }

    /// <summary>
    /// Records a user's request as a new version. Asking again for what is already queued or done adds no version (a
    /// client retry); deleting a reply that never reached App Store Connect completes at once. Null: there is no reply
    /// to delete.
    /// </summary>
    public async Task<ReplyRequestResult?> RequestAsync(
        ReviewEntity review, ReplyAction action, string? body, string requestedBy, CancellationToken cancellationToken,
        string? via = null)
    {
        while (true)
        {
            var now = clock.GetUtcNow();
            var existing = await GetAsync(review.AppId, review.ReviewId, cancellationToken);
            ReplyRequestResult? result;
            if (existing is null)
            {
                if (action == ReplyAction.Delete && review.ResponseId is null)
                {
                    return null;
                }
                var created = new ReplyEntity
                {
                    PartitionKey = review.AppId,
                    RowKey = review.ReviewId,
                    AccountId = review.AccountId,
                    // A response made directly in App Store Connect (seen by ingestion) can still be deleted through
                    // ReviewHub.
                    ResponseId = review.ResponseId,
                };
                var needsSend = NewVersion(created, action, body, requestedBy, now);
                if (!await replies.TryAddAsync(created, cancellationToken))
                {
                    continue; // someone created it meanwhile: apply this request on top of theirs
                }
                result = new ReplyRequestResult(created, needsSend);
            }
            else
            {
                result = await UpdateExistingAsync(existing, review, action, body, requestedBy, cancellationToken);
                if (result is null)
                {
                    continue;
                }
            }

            if (result.Reply.Version != existing?.Version)
            {
                await RecordVersionAsync(result.Reply, existing, cancellationToken, via);
            }
            await SyncSummaryAsync(result.Reply, cancellationToken);
            return result;
        }
    }

    private async Task<ReplyRequestResult?> UpdateExistingAsync(
        ReplyEntity existing, ReviewEntity review, ReplyAction action, string? body, string requestedBy,
            CancellationToken cancellationToken)
    {
        var needsSend = false;
        var updated = await replies.UpdateAsync<ReplyEntity>(existing.AppId, existing.ReviewId, reply =>
        {
            var status = reply.StatusValue;
            var alreadyAsked = action == ReplyAction.Publish
                ? reply.ActionValue == ReplyAction.Publish && reply.Body == body && status is not (ReplyStatus.Failed
                    or ReplyStatus.Deleted)
                : status == ReplyStatus.Deleted || (reply.ActionValue == ReplyAction.Delete && status
                    is ReplyStatus.Queued or ReplyStatus.Sending or ReplyStatus.Paused);
            if (alreadyAsked)
            {
                // Re-sending a queued version is harmless (the sender is idempotent) and repairs a message lost before
                // the 202.
                needsSend = status == ReplyStatus.Queued;
                return false;
            }
            reply.ResponseId ??= review.ResponseId;
            needsSend = NewVersion(reply, action, body, requestedBy, clock.GetUtcNow());
            return true;
        }, cancellationToken);
        return updated is null ? null : new ReplyRequestResult(updated, needsSend);
    }

    /// <summary>Makes <paramref name="reply"/> the next version; true when a sender must act on it.</summary>
    private bool NewVersion(ReplyEntity reply, ReplyAction action, string? body, string requestedBy, DateTimeOffset now)
    {
        reply.Version++;
        reply.Action = action.ToString();
        reply.Body = action == ReplyAction.Publish ? body : null;
        reply.RequestedBy = requestedBy;
        reply.RequestedAt = now;
        reply.RuleId = null;
        reply.UpdatedAt = now;
        reply.Attempts = 0;
        reply.NextAttemptAt = null;
        reply.LastError = null;
        reply.FailureCode = null;
        reply.FailureReason = null;
        reply.Overdue = false;
        reply.OverdueAt = null;
        reply.OutdatedAt = null;
        reply.PublishedAt = null;

        // Nothing in App Store Connect and no send in flight: a delete has nothing to call.
        var nothingToDelete = action == ReplyAction.Delete && reply.ResponseId is null && !reply.IsClaimed(now,
            options.Value.SendLease);
        reply.Status = (nothingToDelete ? ReplyStatus.Deleted : ReplyStatus.Queued).ToString();
        return !nothingToDelete;
    }

    private async Task RecordVersionAsync(
        ReplyEntity reply, ReplyEntity? previous, CancellationToken cancellationToken, string? via = null)
    {
        var deleted = reply.StatusValue == ReplyStatus.Deleted;
        await history.UpsertEntityAsync(new ReplyVersionEntity
        {
            PartitionKey = reply.AppId,
            RowKey = ReplyVersionEntity.KeyFor(reply.ReviewId, reply.Version),
            AccountId = reply.AccountId,
            ReviewId = reply.ReviewId,
            Version = reply.Version,
            Action = reply.Action,
            Body = reply.Action == nameof(ReplyAction.Publish) ? reply.Body : previous?.Body,
            RequestedBy = reply.RequestedBy,
            RequestedAt = reply.RequestedAt,
            RuleId = reply.RuleId,
            Via = via,
            Outcome = (deleted ? ReplyOutcome.Deleted : ReplyOutcome.Queued).ToString(),
            OutcomeReason = deleted ? "The reply had not reached App Store Connect: nothing to delete there." : null,
            OutcomeAt = deleted ? reply.RequestedAt : null,
        }, TableUpdateMode.Replace, cancellationToken);
        metrics.ReplyEntered(deleted ? ReplyOutcome.Deleted : ReplyOutcome.Queued);

        if (previous is not null && previous.AppliedVersion < previous.Version)
        {
            await SetOutcomeAsync(reply.AppId, reply.ReviewId, previous.Version, ReplyOutcome.Superseded,
                $"Version {reply.Version} replaced it before it was sent.", cancellationToken, ReplyOutcome.Queued);
        }
    }

    /// <summary>
    /// Records what became of a version; with <paramref name="onlyIf"/>, only when its outcome is still one of those.
    /// The version entering that state is counted here, once: a repeated message finds the outcome already set.
    /// </summary>
    public async Task SetOutcomeAsync(
        string appId, string reviewId, int version, ReplyOutcome outcome, string? reason,
            CancellationToken cancellationToken,
        params ReplyOutcome[] onlyIf)
    {
        var now = clock.GetUtcNow();
        var entered = false;
        await history.UpdateAsync<ReplyVersionEntity>(appId, ReplyVersionEntity.KeyFor(reviewId, version), entry =>
        {
            entered = (onlyIf.Length == 0 || onlyIf.Contains(Enum.Parse<ReplyOutcome>(entry.Outcome)))
                && entry.Outcome != outcome.ToString();
            if (entered)
            {
                entry.Outcome = outcome.ToString();
                entry.OutcomeReason = reason;
                entry.OutcomeAt = now;
            }
            return entered;
        }, cancellationToken);
        if (entered)
        {
            metrics.ReplyEntered(outcome);
        }
    }

    public async Task<IReadOnlyList<ReplyVersionEntity>> HistoryAsync(string appId, string reviewId,
        CancellationToken cancellationToken)
    {
        var (from, to) = ReplyVersionEntity.RangeFor(reviewId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {appId} and RowKey ge {from} and RowKey lt {to}");
        var list = new List<ReplyVersionEntity>();
        await foreach (var entry in history.QueryRowsAsync<ReplyVersionEntity>(filter,
            cancellationToken: cancellationToken))
        {
            list.Add(entry);
        }
        list.Reverse(); // newest first
        return list;
    }

    /// <summary>Read-modify-write of a reply (null when it is gone), then the review's summary follows.</summary>
    public async Task<ReplyEntity?> UpdateAsync(string appId, string reviewId, Func<ReplyEntity, bool> mutate,
        CancellationToken cancellationToken)
    {
        var changed = false;
        var previous = ReplyStatus.Queued;
        var wasOverdue = false;
        var wasOutdated = false;
        var reply = await replies.UpdateAsync<ReplyEntity>(appId, reviewId, entity =>
        {
            previous = entity.StatusValue;
            wasOverdue = entity.Overdue;
            wasOutdated = entity.OutdatedAt is not null;
            changed = mutate(entity);
            if (changed)
            {
                entity.UpdatedAt = clock.GetUtcNow();
            }
            return changed;
        }, cancellationToken);
        if (reply is not null && changed)
        {
            await SyncSummaryAsync(reply, cancellationToken);
            var change = new ReplyChange(reply, previous, reply.Overdue && !wasOverdue,
                reply.OutdatedAt is not null && !wasOutdated);
            if (change.StatusChanged || change.BecameOverdue || change.BecameOutdated)
            {
                foreach (var observer in observers)
                {
                    await observer.ChangedAsync(change, cancellationToken);
                }
            }
        }
        return reply;
    }

    /// <summary>
    /// Flags the reply outdated when the reviewer edited the review at <paramref name="editedAt"/>, after the reply's
    /// current version was written, and that version is meant to stand (a publish that is not failed or deleted).
    /// Once per version; null when there is no such reply.
    /// </summary>
    public Task<ReplyEntity?> MarkOutdatedAsync(
        string appId, string reviewId, DateTimeOffset editedAt, CancellationToken cancellationToken) =>
        UpdateAsync(appId, reviewId, reply =>
        {
            if (reply.OutdatedAt is not null || reply.ActionValue != ReplyAction.Publish
                || reply.StatusValue is ReplyStatus.Failed or ReplyStatus.Deleted || reply.RequestedAt > editedAt)
            {
                return false;
            }
            reply.OutdatedAt = editedAt;
            return true;
        }, cancellationToken);

    /// <summary>Tells the reviews feature the reply's status, body, time and whether it is outdated, for its review
    /// list.</summary>
    private Task SyncSummaryAsync(ReplyEntity reply, CancellationToken cancellationToken) =>
        summaries.UpdateAsync(reply.AppId, reply.ReviewId,
            new ReplySummary(reply.Status, reply.Body, reply.UpdatedAt, reply.IsOutdated), cancellationToken);

    /// <summary>Indexes a queued version, so the timer re-queues it should its message be lost.</summary>
    public Task TrackQueuedAsync(ReplyEntity reply, CancellationToken cancellationToken) =>
        Track(reply, reply.Version, ReplyStatus.Queued, null, clock.GetUtcNow() + options.Value.StaleQueuedAfter,
            cancellationToken);

    /// <summary>Indexes a version App Store Connect accepted, so the timer follows its moderation.</summary>
    public Task TrackPendingAsync(ReplyEntity reply, int version, DateTimeOffset sentAt,
        CancellationToken cancellationToken) =>
        Track(reply, version, ReplyStatus.PendingPublish, sentAt, sentAt + options.Value.ModerationCheckInterval,
            cancellationToken);

    private Task Track(
        ReplyEntity reply, int version, ReplyStatus stage, DateTimeOffset? sentAt, DateTimeOffset nextCheckAt,
            CancellationToken cancellationToken) =>
        pending.UpsertEntityAsync(new PendingReplyEntity
        {
            PartitionKey = reply.AppId,
            RowKey = reply.ReviewId,
            AccountId = reply.AccountId,
            Version = version,
            Stage = stage.ToString(),
            SentAt = sentAt,
            NextCheckAt = nextCheckAt,
        }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>Drops the review's index entry if it is for <paramref name="version"/> or older (a newer version keeps
    /// its own).</summary>
    public async Task UntrackUpToAsync(string appId, string reviewId, int version, CancellationToken cancellationToken)
    {
        var entry = await pending.FindAsync<PendingReplyEntity>(appId, reviewId, cancellationToken);
        if (entry is not null && entry.Version <= version)
        {
            await UntrackPendingAsync(entry, cancellationToken);
        }
    }

    /// <summary>Drops an index entry as it was read; an entry rewritten since (a newer version was sent)
    /// stays.</summary>
    public async Task UntrackPendingAsync(PendingReplyEntity entry, CancellationToken cancellationToken)
    {
        try
        {
            await pending.DeleteEntityAsync(entry.AppId, entry.ReviewId, entry.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
        }
    }

    /// <summary>Moves an index entry's next check; an entry rewritten since keeps its own schedule.</summary>
    public async Task PostponeCheckAsync(PendingReplyEntity entry, DateTimeOffset nextCheckAt,
        CancellationToken cancellationToken)
    {
        entry.NextCheckAt = nextCheckAt;
        try
        {
            await pending.UpdateEntityAsync(entry, entry.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
        }
    }

    /// <summary>The app's index entries of queued versions (held ones among them): reads the in-flight index
    /// only.</summary>
    public IAsyncEnumerable<PendingReplyEntity> QueuedEntriesAsync(string appId, CancellationToken cancellationToken) =>
        pending.QueryRowsAsync<PendingReplyEntity>(TableClient.CreateQueryFilter(
            $"PartitionKey eq {appId} and Stage eq {nameof(ReplyStatus.Queued)}"),
            cancellationToken: cancellationToken);

    /// <summary>Replies in flight due for a check: the query reads only the index, and only its due rows.</summary>
    public IAsyncEnumerable<PendingReplyEntity> DuePendingAsync(DateTimeOffset now, CancellationToken cancellationToken)
        =>
        pending.QueryRowsAsync<PendingReplyEntity>(TableClient.CreateQueryFilter($"NextCheckAt le {now}"),
            cancellationToken: cancellationToken);

    /// <summary>Pending replies sent before <paramref name="sentBefore"/>: a key-only query of the index.</summary>
    public async Task<int> CountPendingSentBeforeAsync(DateTimeOffset sentBefore, CancellationToken cancellationToken)
    {
        var count = 0;
        var filter = TableClient.CreateQueryFilter(
            $"Stage eq {nameof(ReplyStatus.PendingPublish)} and SentAt lt {sentBefore}");
        await foreach (var _ in pending.QueryRowsAsync<TableEntity>(filter, select: ["PartitionKey"],
            cancellationToken: cancellationToken))
        {
            count++;
        }
        return count;
    }

    /// <summary>Deletes every reply row, version and index entry of an app (idempotent).</summary>
    public async Task PurgeAppAsync(string appId, CancellationToken cancellationToken)
    {
        foreach (var table in new[] { replies, history, pending })
        {
            await table.DeletePartitionAsync(appId, cancellationToken);
        }
    }
}
