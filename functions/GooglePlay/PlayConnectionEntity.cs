using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.GooglePlay;

/// <summary>Where an account's Google Play connection stands.</summary>
internal enum PlayConnectionStatus
{
    /// <summary>No service account yet: ReviewHub's operators provision one.</summary>
    AwaitingServiceAccount,
    /// <summary>The service account exists: the customer invites its email in Play Console and says so.</summary>
    AwaitingInvitation,
    /// <summary>"I've invited": ReviewHub reads the apps' reviews until the grant reaches the API, or the
    /// deadline.</summary>
    Verifying,
    /// <summary>Verified: reviews are polled hourly and replies are sent.</summary>
    Active,
    /// <summary>The customer's deadline passed without a grant; the reason says what Google answered.</summary>
    Failed,
    /// <summary>Was active; Google stopped taking the service account (the cause says how). Fetches pause.</summary>
    Degraded,
    /// <summary>The owner disconnected: the key is deleted, nothing is read.</summary>
    Disconnected,
}

/// <summary>Why an active Play connection stopped working.</summary>
internal enum PlayConnectionProblem
{
    /// <summary>Play answers 403/401 "insufficient permissions" (or 404) for an app: the grant was removed or
    /// reduced.</summary>
    AccessRemoved,
    /// <summary>Google refuses the service account's key (deleted or rotated), or the key left the vault.</summary>
    KeyRefused,
    /// <summary>The Android Publisher API is off in ReviewHub's Google Cloud project.</summary>
    ApiNotEnabled,
}

/// <summary>
/// An account's Google Play connection (table PlayConnections): PartitionKey = accountId, RowKey =
/// <see cref="RowKeyValue"/>, one per account, since Play grants access to the account's one service account.
/// The key itself is never here (<see cref="GooglePlayServiceAccounts"/> keeps it in the vault); only its email.
/// </summary>
internal sealed class PlayConnectionEntity : TableRow
{
    public const string RowKeyValue = "googlePlay";

    [IgnoreDataMember]
    public string AccountId => PartitionKey;

    /// <summary><see cref="PlayConnectionStatus"/> as text.</summary>
    public string Status { get; set; } = nameof(PlayConnectionStatus.AwaitingServiceAccount);

    [IgnoreDataMember]
    public PlayConnectionStatus StatusValue => Enum.Parse<PlayConnectionStatus>(Status);

    /// <summary>The email the customer invites in Play Console (the key's <c>client_email</c>).</summary>
    public string? ServiceAccountEmail { get; set; }

    public DateTimeOffset? ServiceAccountProvisionedAt { get; set; }

    /// <summary>Since when ReviewHub's operators are the ones to act (a service account to provision, a key Google
    /// refuses, the API off in ReviewHub's project); null otherwise. Their time does not count against the deadline.
    /// </summary>
    public DateTimeOffset? OperatorsWaitingSince { get; set; }

    /// <summary>The current "I've invited" attempt; activities write only while the row still carries it.</summary>
    public string? AttemptId { get; set; }

    public DateTimeOffset? InvitedAt { get; set; }

    /// <summary>The customer's deadline: working days after "I've invited", moved on by operators' waits.</summary>
    public DateTimeOffset? Deadline { get; set; }

    public DateTimeOffset? LastCheckedAt { get; set; }

    /// <summary>What the last verification read found, in words (the failure reason at the deadline).</summary>
    public string? LastObservation { get; set; }

    /// <summary>True when the last observation is ReviewHub's to fix (key refused, API off, key missing).</summary>
    public bool ObservationOnOperators { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    public string? FailureReason { get; set; }

    /// <summary><see cref="PlayConnectionProblem"/> as text while degraded.</summary>
    public string? DegradedCause { get; set; }

    public DateTimeOffset? DegradedAt { get; set; }

    public string? DegradedReason { get; set; }

    public DateTimeOffset? DisconnectedAt { get; set; }

    /// <summary>The attempt whose "connected" email was claimed (sent at most once per attempt).</summary>
    public string? ActivationEmailFor { get; set; }

    /// <summary>The attempt whose "setup stopped" email was claimed.</summary>
    public string? FailureEmailFor { get; set; }

    /// <summary>The attempt whose "ReviewHub is late" email was claimed: its deadline passed while operators had to
    /// act (once per attempt).</summary>
    public string? OperatorsLateEmailFor { get; set; }

    /// <summary>The degradation (<c>{cause}@{degradedAt ticks}</c>) whose email was claimed: once per cause.</summary>
    public string? DegradedEmailFor { get; set; }

    [IgnoreDataMember]
    public PlayConnectionProblem? DegradedCauseValue =>
        DegradedCause is null ? null : Enum.Parse<PlayConnectionProblem>(DegradedCause);

    /// <summary>The claim key of the current degradation's email.</summary>
    [IgnoreDataMember]
    public string? DegradationKey => DegradedCause is null ? null : $"{DegradedCause}@{DegradedAt?.UtcTicks}";

    /// <summary>Verified and not disconnected: health checks run; only <see cref="PlayConnectionStatus.Active"/>
    /// lets fetches and replies through.</summary>
    [IgnoreDataMember]
    public bool IsInForce => StatusValue is PlayConnectionStatus.Active or PlayConnectionStatus.Degraded;

    /// <summary>A copy of the row as read (what a change replaced).</summary>
    public PlayConnectionEntity Copy() => (PlayConnectionEntity)MemberwiseClone();

    [IgnoreDataMember]
    public string InstanceId => PlayConnectionVerificationOrchestrator.InstanceIdFor(AccountId);
}
