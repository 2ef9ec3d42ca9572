using Azure.Data.Tables;
using ReviewHub.Integrations;
using ReviewHub.Storage;

namespace ReviewHub.GooglePlay;

/// <summary>What "I've invited" came to.</summary>
internal enum PlayInviteOutcome
{
    /// <summary>A new attempt was recorded.</summary>
    Started,
    /// <summary>An attempt runs already: the caller answers with it (a double click starts nothing new).</summary>
    InProgress,
    AlreadyActive,
    /// <summary>No service account yet (operators provision it first), or disconnected.</summary>
    NoServiceAccount,
}

/// <summary>
/// Reads and writes the accounts' Play connection rows. Every write goes through <see cref="UpdateAsync"/>, which
/// keeps the operators' wait (and with it the customer's deadline) from the row's new state, and takes the ETag, so
/// concurrent writers (the orchestration, a refused call, a disconnect) never overwrite each other.
/// </summary>
internal sealed class PlayConnectionStore(TableServiceClient tables, WorkingDayCalendar calendar, TimeProvider clock)
{
    /// <summary>Why a reply to a Play review is refused while the connection is not active.</summary>
    public const string RepliesNeedActive = "Replies to Google Play reviews are sent with the account's Google " +
        "service account once its Google Play connection is active; it is not (GET …/google-play/connection says " +
        "who must act).";

    private readonly TableClient table = tables.GetTableClient(GooglePlayTables.PlayConnections);

    public TableClient Table => table;

    public Task<PlayConnectionEntity?> GetAsync(string accountId, CancellationToken cancellationToken) =>
        table.FindAsync<PlayConnectionEntity>(accountId, PlayConnectionEntity.RowKeyValue, cancellationToken);

    /// <summary>Whether the account's Play connection lets fetches and replies through.</summary>
    public async Task<bool> IsActiveAsync(string accountId, CancellationToken cancellationToken) =>
        (await GetAsync(accountId, cancellationToken))?.StatusValue == PlayConnectionStatus.Active;

    /// <summary>
    /// The row, created on first need (an Android app registered, a service account provisioned) waiting on
    /// operators for its service account.
    /// </summary>
    public async Task<PlayConnectionEntity> EnsureAsync(string accountId, CancellationToken cancellationToken)
    {
        if (await GetAsync(accountId, cancellationToken) is { } existing)
        {
            return existing;
        }
        var row = new PlayConnectionEntity { PartitionKey = accountId, RowKey = PlayConnectionEntity.RowKeyValue };
        PlayConnectionActors.TrackOperatorWait(row, clock.GetUtcNow(), calendar);
        await table.TryAddAsync(row, cancellationToken);
        return (await GetAsync(accountId, cancellationToken))!;
    }

    /// <summary>Applies <paramref name="mutate"/> (false: no write) and keeps the operators' wait; null when the row
    /// does not exist.</summary>
    public Task<PlayConnectionEntity?> UpdateAsync(
        string accountId, Func<PlayConnectionEntity, bool> mutate, CancellationToken cancellationToken) =>
        table.UpdateAsync<PlayConnectionEntity>(accountId, PlayConnectionEntity.RowKeyValue, row =>
        {
            if (!mutate(row))
            {
                return false;
            }
            PlayConnectionActors.TrackOperatorWait(row, clock.GetUtcNow(), calendar);
            return true;
        }, cancellationToken);

    /// <summary>Applies <paramref name="mutate"/> only while the row runs <paramref name="attemptId"/>'s
    /// verification; null when it no longer does (disconnected, re-invited, removed).</summary>
    public async Task<PlayConnectionEntity?> UpdateAttemptAsync(
        string accountId, string attemptId, Action<PlayConnectionEntity> mutate, CancellationToken cancellationToken)
    {
        var current = false;
        var row = await UpdateAsync(accountId, r =>
        {
            current = r.AttemptId == attemptId && r.StatusValue == PlayConnectionStatus.Verifying;
            if (current)
            {
                mutate(r);
            }
            return current;
        }, cancellationToken);
        return current ? row : null;
    }

    /// <summary>Operators stored the account's key: the customer may invite its email.</summary>
    public async Task<PlayConnectionEntity> RecordServiceAccountAsync(
        string accountId, string email, CancellationToken cancellationToken)
    {
        await EnsureAsync(accountId, cancellationToken);
        var now = clock.GetUtcNow();
        return (await UpdateAsync(accountId, row =>
        {
            var sameEmail = row.ServiceAccountEmail == email;
            row.ServiceAccountEmail = email;
            row.ServiceAccountProvisionedAt = now;
            if (row.StatusValue is PlayConnectionStatus.AwaitingServiceAccount or PlayConnectionStatus.Disconnected
                || !sameEmail)
            {
                // Another email must be invited again: what was granted to the old one does not carry over.
                Reset(row, PlayConnectionStatus.AwaitingInvitation);
            }
            else if (row.ObservationOnOperators)
            {
                // The key Google refused was replaced: the next check tells.
                row.ObservationOnOperators = false;
                row.LastObservation = null;
            }
            return true;
        }, cancellationToken))!;
    }

    /// <summary>"I've invited": a new attempt with its deadline, unless one runs or the connection is in
    /// force.</summary>
    public async Task<(PlayInviteOutcome Outcome, PlayConnectionEntity? Row)> BeginAttemptAsync(
        string accountId, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var outcome = PlayInviteOutcome.NoServiceAccount;
        var now = clock.GetUtcNow();
        var row = await UpdateAsync(accountId, r =>
        {
            outcome = r.StatusValue switch
            {
                PlayConnectionStatus.AwaitingServiceAccount or PlayConnectionStatus.Disconnected =>
                    PlayInviteOutcome.NoServiceAccount,
                PlayConnectionStatus.Verifying => PlayInviteOutcome.InProgress,
                PlayConnectionStatus.Active or PlayConnectionStatus.Degraded => PlayInviteOutcome.AlreadyActive,
                _ => PlayInviteOutcome.Started,
            };
            if (outcome != PlayInviteOutcome.Started)
            {
                return false;
            }
            Reset(r, PlayConnectionStatus.Verifying);
            r.AttemptId = Ids.New();
            r.InvitedAt = now;
            r.Deadline = deadline;
            return true;
        }, cancellationToken);
        return (outcome, row);
    }

    /// <summary>Stops using the key: disconnected, nothing in force; true when this call changed it.</summary>
    public async Task<(PlayConnectionEntity? Before, PlayConnectionEntity? After)> DisconnectAsync(
        string accountId, CancellationToken cancellationToken)
    {
        PlayConnectionEntity? before = null;
        var now = clock.GetUtcNow();
        var after = await UpdateAsync(accountId, r =>
        {
            if (r.StatusValue == PlayConnectionStatus.Disconnected)
            {
                return false;
            }
            before = r.Copy();
            Reset(r, PlayConnectionStatus.Disconnected);
            r.AttemptId = null;
            r.ServiceAccountEmail = null;
            r.DisconnectedAt = now;
            return true;
        }, cancellationToken);
        return (before, after);
    }

    /// <summary>Degrades a connection in force with the cause (a change only: the same cause keeps its time and its
    /// email claim). True when this call changed the row.</summary>
    public async Task<bool> DegradeAsync(
        string accountId, PlayConnectionProblem cause, string reason, CancellationToken cancellationToken)
    {
        var changed = false;
        var now = clock.GetUtcNow();
        await UpdateAsync(accountId, r =>
        {
            changed = r.IsInForce && (r.DegradedCauseValue != cause || r.DegradedReason != reason);
            if (!changed)
            {
                return false;
            }
            if (r.DegradedCauseValue != cause)
            {
                r.DegradedAt = now;
            }
            r.Status = nameof(PlayConnectionStatus.Degraded);
            r.DegradedCause = cause.ToString();
            r.DegradedReason = reason;
            return true;
        }, cancellationToken);
        return changed;
    }

    /// <summary>Back to Active after a passing check; true when this call recovered it.</summary>
    public async Task<bool> RecoverAsync(string accountId, CancellationToken cancellationToken)
    {
        var changed = false;
        var now = clock.GetUtcNow();
        await UpdateAsync(accountId, r =>
        {
            changed = r.StatusValue == PlayConnectionStatus.Degraded;
            r.LastCheckedAt = now;
            if (changed)
            {
                r.Status = nameof(PlayConnectionStatus.Active);
                (r.DegradedCause, r.DegradedAt, r.DegradedReason) = (null, null, null);
            }
            return r.IsInForce;
        }, cancellationToken);
        return changed;
    }

    /// <summary>Claims an owner email once (<paramref name="email"/> picks the field, <paramref name="key"/> names
    /// the occasion); false when it was claimed before.</summary>
    public async Task<bool> ClaimEmailAsync(
        string accountId, PlayOwnerEmail email, string key, CancellationToken cancellationToken)
    {
        var claimed = false;
        await UpdateAsync(accountId, r =>
        {
            claimed = EmailSlot(r, email) != key;
            if (claimed)
            {
                SetEmailSlot(r, email, key);
            }
            return claimed;
        }, cancellationToken);
        return claimed;
    }

    /// <summary>Gives a claim back after a send that certainly did not hand the message over.</summary>
    public Task ReleaseEmailAsync(
        string accountId, PlayOwnerEmail email, string key, CancellationToken cancellationToken) =>
        UpdateAsync(accountId, r =>
        {
            if (EmailSlot(r, email) != key)
            {
                return false;
            }
            SetEmailSlot(r, email, null);
            return true;
        }, cancellationToken);

    private static string? EmailSlot(PlayConnectionEntity row, PlayOwnerEmail email) => email switch
    {
        PlayOwnerEmail.Activated => row.ActivationEmailFor,
        PlayOwnerEmail.Failed => row.FailureEmailFor,
        PlayOwnerEmail.OperatorsLate => row.OperatorsLateEmailFor,
        _ => row.DegradedEmailFor,
    };

    private static void SetEmailSlot(PlayConnectionEntity row, PlayOwnerEmail email, string? key)
    {
        switch (email)
        {
            case PlayOwnerEmail.Activated:
                row.ActivationEmailFor = key;
                break;
            case PlayOwnerEmail.Failed:
                row.FailureEmailFor = key;
                break;
            case PlayOwnerEmail.OperatorsLate:
                row.OperatorsLateEmailFor = key;
                break;
            default:
                row.DegradedEmailFor = key;
                break;
        }
    }

    private static void Reset(PlayConnectionEntity row, PlayConnectionStatus status)
    {
        row.Status = status.ToString();
        (row.LastObservation, row.ObservationOnOperators, row.FailureReason) = (null, false, null);
        (row.DegradedCause, row.DegradedAt, row.DegradedReason) = (null, null, null);
        (row.Deadline, row.VerifiedAt) = (null, null);
    }
}
