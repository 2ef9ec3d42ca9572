using Azure.Data.Tables;
using ReviewHub.Observability;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

internal enum ConfirmOutcome
{
    /// <summary>A new attempt was recorded (first setup, retry after Failed/Cancelled, or an upgrade to another
    /// kind).</summary>
    Started,
    /// <summary>An attempt is already running; the caller answers with it (a double click starts nothing
    /// new).</summary>
    InProgress,
    /// <summary>The integration is already active with the requested kind.</summary>
    AlreadyActive,
}

/// <summary>
/// Reads and writes connection rows; other features use <see cref="GetAsync"/> to learn which connection (and key)
/// serves an app. Every status change goes through here (activities, never orchestrator code, which replays), so each
/// state entered is counted once, after its write.
/// </summary>
internal sealed class IntegrationStore(
    TableServiceClient tables, ConnectionAppStore links, ReviewHubMetrics metrics, WorkingDayCalendar calendar,
    TimeProvider clock)
{
    private readonly TableClient table = tables.GetTableClient(IntegrationTables.Integrations);

    public TableClient Table => table;

    /// <summary>
    /// The connection serving an app (seen by that app: <see cref="IntegrationEntity.AppId"/> is set), or null when no
    /// connection links it. One read for an app on the public feed (its missing link), two for a connected one.
    /// </summary>
    public async Task<IntegrationEntity?> GetAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var link = await links.GetLinkAsync(accountId, appId, cancellationToken);
        return link is null ? null
            : (await GetConnectionAsync(accountId, link.ConnectionId, cancellationToken))?.ForApp(appId);
    }

    public Task<IntegrationEntity?> GetConnectionAsync(
        string accountId, string connectionId, CancellationToken cancellationToken) =>
        table.FindAsync<IntegrationEntity>(accountId, connectionId, cancellationToken);

    /// <summary>The account's connections, one per App Store Connect team (an account has a handful).</summary>
    public async Task<IReadOnlyList<IntegrationEntity>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var rows = new List<IntegrationEntity>();
        await foreach (var row in table.QueryRowsAsync<IntegrationEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {accountId}"), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Connections waiting on ReviewHub's operators (any account), oldest wait first, at most <paramref name="max"/>;
    /// <c>Truncated</c> when more wait. The Integrations table holds one row per connection, and the filter is served
    /// by the table, so this reads only the waiting rows.
    /// </summary>
    public async Task<(IReadOnlyList<IntegrationEntity> Rows, bool Truncated)> WaitingOnOperatorsAsync(
        int max, CancellationToken cancellationToken)
    {
        var rows = new List<IntegrationEntity>();
        await foreach (var row in table.QueryRowsAsync<IntegrationEntity>(
            TableClient.CreateQueryFilter($"OperatorsWaitingSince ge {DateTimeOffset.UnixEpoch}"),
            cancellationToken: cancellationToken))
        {
            if (rows.Count == max)
            {
                return (Oldest(rows), true);
            }
            rows.Add(row);
        }
        return (Oldest(rows), false);

        static List<IntegrationEntity> Oldest(List<IntegrationEntity> rows) =>
            rows.OrderBy(r => r.OperatorsWaitingSince).ThenBy(r => r.PartitionKey, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Connections with a kind in force (degraded included), in key order, strictly after <paramref name="after"/>
    /// and up to <paramref name="upTo"/> (inclusive) when given; keys only.
    /// </summary>
    public IAsyncEnumerable<IntegrationEntity> InForceAsync(
        DailyHealthCheckCursor? after, DailyHealthCheckCursor? upTo, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"ActiveKind ge {string.Empty}");
        if (after is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter(
                $"(PartitionKey gt {after.AccountId} or (PartitionKey eq {after.AccountId} and RowKey gt {
                    after.ConnectionId}))");
        }
        if (upTo is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter(
                $"(PartitionKey lt {upTo.AccountId} or (PartitionKey eq {upTo.AccountId} and RowKey le {
                    upTo.ConnectionId}))");
        }
        return table.QueryRowsAsync<IntegrationEntity>(filter,
            select: [nameof(IntegrationEntity.PartitionKey), nameof(IntegrationEntity.RowKey)],
            cancellationToken: cancellationToken);
    }

    public Task<DailyHealthCheckCursor?> DailyCheckCursorAsync(CancellationToken cancellationToken) =>
        table.FindAsync<DailyHealthCheckCursor>(DailyHealthCheckCursor.Partition, DailyHealthCheckCursor.Row,
            cancellationToken);

    /// <summary>Keeps where the daily check goes on (null: it checked everything, start from the top).</summary>
    public async Task SaveDailyCheckCursorAsync(DailyHealthCheckCursor? cursor, CancellationToken cancellationToken)
    {
        if (cursor is null)
        {
            await table.DeleteEntityAsync(DailyHealthCheckCursor.Partition, DailyHealthCheckCursor.Row,
                cancellationToken: cancellationToken);
            return;
        }
        cursor.PartitionKey = DailyHealthCheckCursor.Partition;
        cursor.RowKey = DailyHealthCheckCursor.Row;
        await table.UpsertEntityAsync(cursor, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>
    /// Records a confirmation as a new attempt unless one is running or the kind is already active. Concurrent confirms
    /// race on the row's ETag (or its insert), so exactly one of them starts an attempt and the others see it in
    /// progress.
    /// </summary>
    public async Task<(ConfirmOutcome Outcome, IntegrationEntity Row)> BeginAttemptAsync(
        string accountId, string team, IntegrationKind kind, string integrationEmail, DateTimeOffset confirmedAt,
        DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var attemptId = Ids.New();
        var connectionId = ConnectionIds.For(team);
        var instanceId = IntegrationSetupFunctions.InstanceIdFor(accountId, connectionId);
        void Begin(IntegrationEntity row)
        {
            row.Team = team.Trim();
            row.Kind = kind.ToString();
            // A retry or an upgrade reuses the registered key: nothing waits for operators, roles are checked at once.
            row.Status = row.CredentialReference is null
                ? nameof(IntegrationStatus.AwaitingOperator)
                : nameof(IntegrationStatus.Verifying);
            row.IntegrationEmail = integrationEmail;
            row.ConfirmedAt = confirmedAt;
            row.Deadline = deadline;
            row.InstanceId = instanceId;
            row.AttemptId = attemptId;
            row.MissingRoles = null;
            row.LastCheckedAt = null;
            row.VerifiedAt = null;
            row.FailureReason = null;
            row.LastError = null;
            row.LastObservation = null;
            row.LastObservedAt = null;
            row.ActivationSteps = null;
            row.ActivationEmail = null;
            row.DisconnectedAt = null;
            // The new attempt's wait on operators (if any) starts now; its deadline moves on when that wait ends.
            row.OperatorsWaitingSince = null;
            row.OperatorDelayToldAt = null;
            ConnectionActors.TrackOperatorWait(row, confirmedAt, calendar);
            // GrantedRoles, CredentialReference and ActiveKind stay: an upgrade or a retry reuses the registered key,
            // and the integration in force keeps working until the new kind is verified.
        }

        while (true)
        {
            var updated = await UpdateAsync(accountId, connectionId, row =>
            {
                if (row.IsInProgress && row.KindValue == kind && IsNoInvitation(row))
                {
                    // "I've invited" again after operators found none: the wait is theirs again (same attempt).
                    row.LastObservation = null;
                    row.LastObservedAt = null;
                    return true;
                }
                if (row.IsInProgress || row.ActiveKindValue == kind)
                {
                    return false;
                }
                Begin(row);
                return true;
            }, cancellationToken);

            if (updated is not null)
            {
                if (updated.AttemptId == attemptId)
                {
                    metrics.IntegrationEntered(updated.StatusValue);
                }
                var outcome = updated.AttemptId == attemptId ? ConfirmOutcome.Started
                    : updated.IsInProgress ? ConfirmOutcome.InProgress
                    : ConfirmOutcome.AlreadyActive;
                return (outcome, updated);
            }

            var created = new IntegrationEntity { PartitionKey = accountId, RowKey = connectionId };
            Begin(created);
            if (await table.TryAddAsync(created, cancellationToken))
            {
                metrics.IntegrationEntered(IntegrationStatus.AwaitingOperator);
                return (ConfirmOutcome.Started, created);
            }
            // Another confirm inserted the row first: go round and answer with its attempt.
        }
    }

    /// <summary>
    /// Every write of a connection row: after <paramref name="mutate"/> changed it, who must act next may have changed,
    /// so the wait on operators (and the deadline it pauses) is kept here, in one place.
    /// </summary>
    private Task<IntegrationEntity?> UpdateAsync(
        string accountId, string connectionId, Func<IntegrationEntity, bool> mutate,
        CancellationToken cancellationToken) =>
        table.UpdateAsync<IntegrationEntity>(accountId, connectionId, row =>
        {
            if (!mutate(row))
            {
                return false;
            }
            ConnectionActors.TrackOperatorWait(row, clock.GetUtcNow(), calendar);
            return true;
        }, cancellationToken);

    /// <summary>Applies <paramref name="mutate"/> while the row still runs <paramref name="attemptId"/>; null when it
    /// no longer does.</summary>
    public async Task<IntegrationEntity?> UpdateAttemptAsync(
        string accountId, string connectionId, string attemptId, Action<IntegrationEntity> mutate,
        CancellationToken cancellationToken)
    {
        var applied = false;
        string? statusBefore = null;
        var row = await UpdateAsync(accountId, connectionId, row =>
        {
            applied = row.AttemptId == attemptId && row.IsInProgress;
            if (applied)
            {
                statusBefore = row.Status;
                mutate(row);
            }
            return applied;
        }, cancellationToken);
        if (applied && row!.Status != statusBefore)
        {
            metrics.IntegrationEntered(row.StatusValue);
        }
        return applied ? row : null;
    }

    /// <summary>
    /// Records a check of the attempt (or a failure of one of its steps) at <paramref name="now"/>:
    /// <paramref name="status"/> null keeps the current status (never a stale copy of it); <paramref name="observed"/>
    /// is what App Store Connect answered, null when it did not answer.
    /// </summary>
    public Task<IntegrationEntity?> RecordCheckAsync(
        IntegrationAttempt attempt, string? lastError, DateTimeOffset now, CancellationToken cancellationToken,
        IntegrationStatus? status = null, AppStoreConnectObservation? observed = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return UpdateAttemptAsync(attempt.AccountId, attempt.ConnectionId, attempt.AttemptId, r =>
        {
            if (status is { } newStatus)
            {
                r.Status = newStatus.ToString();
            }
            if (observed is { } observation)
            {
                r.LastObservation = observation.ToString();
                r.LastObservedAt = now;
            }
            r.LastError = lastError;
            r.LastCheckedAt = now;
        }, cancellationToken);
    }

    /// <summary>
    /// Marks the running attempt Cancelled; null when nothing is in progress. A verified attempt (activating) is in
    /// force already and is not cancelled: its activation steps still have to finish.
    /// </summary>
    public async Task<IntegrationEntity?> CancelAsync(
        string accountId, string connectionId, CancellationToken cancellationToken)
    {
        var cancelled = false;
        var row = await UpdateAsync(accountId, connectionId, row =>
        {
            cancelled = row.IsInProgress && row.StatusValue != IntegrationStatus.Activating;
            if (cancelled)
            {
                row.Status = nameof(IntegrationStatus.Cancelled);
                row.FailureReason = null;
            }
            return cancelled;
        }, cancellationToken);
        if (cancelled)
        {
            metrics.IntegrationEntered(IntegrationStatus.Cancelled);
        }
        return cancelled ? row : null;
    }

    public Task<IntegrationEntity?> SetCredentialAsync(
        string accountId, string connectionId, string credentialReference, DateTimeOffset registeredAt,
        CancellationToken cancellationToken, ConnectionMethod method = ConnectionMethod.Invitation) =>
        UpdateAsync(accountId, connectionId, row =>
        {
            row.Method = method.ToString();
            // A new key has not replied yet: what the old one was allowed says nothing about it.
            row.ReplyPermission = null;
            row.CredentialReference = credentialReference;
            row.CredentialRegisteredAt = registeredAt;
            row.KeyRefusedAt = null; // a refusal was the old key's
            row.KeyRefusal = null;
            if (IsNoInvitation(row))
            {
                row.LastObservation = null; // operators found the invitation after all
                row.LastObservedAt = null;
            }
            if (row.DegradedCauseValue is ConnectionProblem.KeyRevoked or ConnectionProblem.KeyForbidden)
            {
                Recover(row); // so was the degradation; a check finds any other cause again
            }
            return true;
        }, cancellationToken);

    private static bool IsNoInvitation(IntegrationEntity row) =>
        row.LastObservationValue == AppStoreConnectObservation.NoInvitationReceived;

    /// <summary>
    /// Operators found no invitation for a setup that waits on them for one (no key yet): the wait goes back to the
    /// customer (<see cref="ConnectionActors"/>), so the deadline moves on by the operators' wait and runs again. True
    /// when this call recorded it (the caller tells the owner); false when it was recorded already. Null when the
    /// setup does not wait for an invitation.
    /// </summary>
    public async Task<bool?> RecordNoInvitationAsync(
        string accountId, string connectionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool? recorded = null;
        await UpdateAsync(accountId, connectionId, row =>
        {
            recorded = row.StatusValue == IntegrationStatus.AwaitingOperator && row.CredentialReference is null
                ? !IsNoInvitation(row)
                : null;
            if (recorded != true)
            {
                return false;
            }
            row.LastObservation = nameof(AppStoreConnectObservation.NoInvitationReceived);
            row.LastObservedAt = now;
            return true;
        }, cancellationToken);
        return recorded;
    }

    /// <summary>Takes back a report whose email to the owner certainly failed (the operator calls again).</summary>
    public Task WithdrawNoInvitationAsync(
        string accountId, string connectionId, DateTimeOffset reportedAt, CancellationToken cancellationToken) =>
        UpdateAsync(accountId, connectionId, row =>
        {
            if (!IsNoInvitation(row) || row.LastObservedAt != reportedAt)
            {
                return false;
            }
            row.LastObservation = null;
            row.LastObservedAt = null;
            return true;
        }, cancellationToken);

    /// <summary>
    /// Records that App Store Connect refused the key <paramref name="read"/> had registered, in a call made after that
    /// read. Only for an integration in force, only the first refusal of that key (the status says since when), and
    /// never for a key replaced since the read. No write when <paramref name="read"/> shows a refusal already.
    /// </summary>
    public async Task<bool> RecordKeyRefusedAsync(
        IntegrationEntity read, DateTimeOffset refusedAt, ConnectionProblem cause, string refusal,
        CancellationToken cancellationToken)
    {
        if (read.KeyRefusedAt is not null || !read.IsActive)
        {
            return false;
        }
        var recorded = false;
        await UpdateAsync(read.AccountId, read.ConnectionId, row =>
        {
            recorded = row.IsActive && row.KeyRefusedAt is null
                && row.CredentialRegisteredAt == read.CredentialRegisteredAt;
            if (recorded)
            {
                row.KeyRefusedAt = refusedAt;
                row.KeyRefusal = refusal;
                // At once: the call was refused. The health check queued after it replaces the cause by the exact one.
                Degrade(row, cause, refusedAt, refusal);
            }
            return recorded;
        }, cancellationToken);
        return recorded;
    }

    /// <summary>
    /// A call with the key, made after <paramref name="read"/> showed it refused, succeeded: the refusal no longer
    /// holds. No write when <paramref name="read"/> shows none (the common case), nor when the row changed since.
    /// </summary>
    public async Task ClearKeyRefusalAsync(IntegrationEntity read, CancellationToken cancellationToken)
    {
        if (read.KeyRefusedAt is not { } refusedAt)
        {
            return;
        }
        await UpdateAsync(read.AccountId, read.ConnectionId, row =>
        {
            if (row.KeyRefusedAt != refusedAt)
            {
                return false;
            }
            row.KeyRefusedAt = null;
            row.KeyRefusal = null;
            if (row.DegradedAt == refusedAt)
            {
                Recover(row); // degraded by that refusal alone: no check found a cause of its own since
            }
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Marks the connection in force of <paramref name="read"/> degraded with <paramref name="cause"/>, unless it
    /// already says exactly that (no write) or its key was replaced since the read. True when the row changed.
    /// </summary>
    public async Task<bool> DegradeAsync(
        IntegrationEntity read, ConnectionProblem cause, string reason, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        if (read.DegradedCauseValue == cause && read.DegradedReason == reason)
        {
            return false;
        }
        var changed = false;
        var entered = false;
        await UpdateAsync(read.AccountId, read.ConnectionId, row =>
        {
            changed = row.IsActive && row.CredentialRegisteredAt == read.CredentialRegisteredAt
                && (row.DegradedCauseValue != cause || row.DegradedReason != reason);
            if (changed)
            {
                entered = !row.IsDegraded;
                Degrade(row, cause, now, reason);
            }
            return changed;
        }, cancellationToken);
        if (entered)
        {
            metrics.IntegrationEntered(IntegrationStatus.Degraded);
        }
        return changed;
    }

    /// <summary>A check found the connection of <paramref name="read"/> healthy: back to Active. True when it was
    /// degraded.</summary>
    public async Task<bool> RecoverAsync(IntegrationEntity read, CancellationToken cancellationToken)
    {
        if (!read.IsDegraded && read.KeyRefusedAt is null)
        {
            return false;
        }
        var recovered = false;
        await UpdateAsync(read.AccountId, read.ConnectionId, row =>
        {
            recovered = row.IsActive && row.CredentialRegisteredAt == read.CredentialRegisteredAt
                && (row.IsDegraded || row.KeyRefusedAt is not null);
            if (recovered)
            {
                row.KeyRefusedAt = null;
                row.KeyRefusal = null;
                Recover(row);
            }
            return recovered;
        }, cancellationToken);
        if (recovered)
        {
            metrics.IntegrationEntered(IntegrationStatus.Active);
        }
        return recovered;
    }

    /// <summary>
    /// Claims the owner's email about the current cause of a degradation (at most once per cause): true when this
    /// caller must send it. <see cref="ReleaseDegradedEmailAsync"/> gives it back after a send that certainly failed.
    /// </summary>
    public async Task<bool> ClaimDegradedEmailAsync(
        string accountId, string connectionId, ConnectionProblem cause, CancellationToken cancellationToken)
    {
        var claimed = false;
        await UpdateAsync(accountId, connectionId, row =>
        {
            claimed = row.IsDegraded && row.DegradedCauseValue == cause && row.DegradedEmailCause != row.DegradedCause;
            if (claimed)
            {
                row.DegradedEmailCause = row.DegradedCause;
            }
            return claimed;
        }, cancellationToken);
        return claimed;
    }

    public Task<IntegrationEntity?> ReleaseDegradedEmailAsync(
        string accountId, string connectionId, ConnectionProblem cause, CancellationToken cancellationToken) =>
        UpdateAsync(accountId, connectionId, row =>
        {
            if (row.DegradedEmailCause != cause.ToString())
            {
                return false;
            }
            row.DegradedEmailCause = null;
            return true;
        }, cancellationToken);

    /// <summary>
    /// The customer disconnected: nothing is in force any more, the key reference is dropped (the caller deletes the
    /// secret) and a running setup no longer owns the row. Returns the row as it was before, or null when it was
    /// already disconnected (or never existed): a repeated disconnect changes nothing.
    /// </summary>
    public async Task<IntegrationEntity?> DisconnectAsync(
        string accountId, string connectionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IntegrationEntity? before = null;
        await UpdateAsync(accountId, connectionId, row =>
        {
            if (row.StatusValue == IntegrationStatus.Disconnected)
            {
                before = null;
                return false;
            }
            before = Copy(row);
            row.Status = nameof(IntegrationStatus.Disconnected);
            row.DisconnectedAt = now;
            row.ActiveKind = null;
            row.CredentialReference = null;
            row.CredentialRegisteredAt = null;
            row.KeyRefusedAt = null;
            row.KeyRefusal = null;
            row.MissingRoles = null;
            row.FailureReason = null;
            row.LastError = null;
            Recover(row);
            return true;
        }, cancellationToken);
        if (before is not null)
        {
            metrics.IntegrationEntered(IntegrationStatus.Disconnected);
        }
        return before;
    }

    private static IntegrationEntity Copy(IntegrationEntity row) => new()
    {
        PartitionKey = row.PartitionKey,
        RowKey = row.RowKey,
        Status = row.Status,
        Kind = row.Kind,
        ActiveKind = row.ActiveKind,
        CredentialReference = row.CredentialReference,
        InstanceId = row.InstanceId,
        AttemptId = row.AttemptId,
    };

    private static void Degrade(IntegrationEntity row, ConnectionProblem cause, DateTimeOffset now, string reason)
    {
        row.DegradedAt ??= now;
        row.DegradedCause = cause.ToString();
        row.DegradedReason = reason;
        if (row.StatusValue == IntegrationStatus.Active)
        {
            row.Status = nameof(IntegrationStatus.Degraded);
        }
    }

    private static void Recover(IntegrationEntity row)
    {
        row.DegradedCause = null;
        row.DegradedAt = null;
        row.DegradedReason = null;
        row.DegradedEmailCause = null;
        if (row.StatusValue == IntegrationStatus.Degraded)
        {
            row.Status = nameof(IntegrationStatus.Active);
        }
    }

    /// <summary>
    /// What the first reply with the key found out (a team key's role cannot be read). Written only on a change and
    /// only while the key the reply used is still the registered one.
    /// </summary>
    public async Task RecordReplyPermissionAsync(
        IntegrationEntity read, ReplyPermission permission, CancellationToken cancellationToken)
    {
        if (read.ReplyPermissionValue == permission)
        {
            return;
        }
        await UpdateAsync(read.AccountId, read.ConnectionId, row =>
        {
            var applies = row.CredentialReference == read.CredentialReference
                && row.CredentialRegisteredAt == read.CredentialRegisteredAt && row.ReplyPermissionValue != permission;
            if (applies)
            {
                row.ReplyPermission = permission.ToString();
            }
            return applies;
        }, cancellationToken);
    }

    /// <summary>Records the apps the key saw, while <paramref name="attemptId"/> still owns the row.</summary>
    public Task<IntegrationEntity?> RecordAppsListedAsync(
        string accountId, string connectionId, string attemptId, int count, DateTimeOffset at,
        CancellationToken cancellationToken) =>
        UpdateAttemptAsync(accountId, connectionId, attemptId, row =>
        {
            row.AppsListedAt = at;
            row.AppsSeen = count;
        }, cancellationToken);

    /// <summary>
    /// A removed app leaves no trace on its connection: its activation step markers ("{step}:{appId}") go (a
    /// re-registered app is a new app id and gets its own). Idempotent.
    /// </summary>
    public Task ForgetAppAsync(
        string accountId, string connectionId, string appId, CancellationToken cancellationToken) =>
        UpdateAsync(accountId, connectionId, row =>
        {
            var kept = row.ActivationStepList.Where(step => !step.EndsWith($":{appId}", StringComparison.Ordinal))
                .ToList();
            if (kept.Count == row.ActivationStepList.Count)
            {
                return false;
            }
            row.ActivationSteps = kept.Count == 0 ? null : string.Join(',', kept);
            return true;
        }, cancellationToken);
}
