using System.Runtime.Serialization;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// The connection of one account to one App Store Connect team: one invitation (or one team key) and one verification
/// cover every app of the team. PartitionKey = accountId, RowKey = connectionId (<see cref="ConnectionIds.For"/>).
/// Apps point to it through <see cref="ConnectionAppEntity"/> links. The credential itself is never here:
/// <see cref="CredentialReference"/> names its Key Vault secret.
/// </summary>
internal sealed class IntegrationEntity : TableRow
{
    /// <summary>The team's name as the customer typed it (the connection id is derived from it).</summary>
    public string Team { get; set; } = string.Empty;

    /// <summary><see cref="ConnectionMethod"/> as text: how the key came (operators' invitation, or a team
    /// key).</summary>
    public string Method { get; set; } = nameof(ConnectionMethod.Invitation);

    /// <summary>
    /// <see cref="ReplyPermission"/> as text. A team key's role cannot be read through the API, and no reply can be
    /// tried without sending one: null (unknown) until the first reply answers it.
    /// </summary>
    public string? ReplyPermission { get; set; }

    /// <summary>When the apps the key sees were last listed (<c>GET /v1/apps</c>), and how many.</summary>
    public DateTimeOffset? AppsListedAt { get; set; }

    public int? AppsSeen { get; set; }

    /// <summary><see cref="IntegrationKind"/> as text (tables store no enums).</summary>
    public string Kind { get; set; } = nameof(IntegrationKind.FullAccess);

    /// <summary><see cref="IntegrationStatus"/> of the latest attempt, as text.</summary>
    public string Status { get; set; } = nameof(IntegrationStatus.AwaitingOperator);

    /// <summary>
    /// The <see cref="IntegrationKind"/> in force, set when an attempt succeeds. It stays while a later attempt (an
    /// upgrade to another kind) runs, and after that attempt fails or is cancelled: a working integration is never
    /// taken offline by trying to change it.
    /// </summary>
    public string? ActiveKind { get; set; }

    public string IntegrationEmail { get; set; } = string.Empty;
    public DateTimeOffset ConfirmedAt { get; set; }
    public DateTimeOffset Deadline { get; set; }

    /// <summary>Comma-separated App Store Connect role names (API spelling, e.g. CUSTOMER_SUPPORT).</summary>
    public string? MissingRoles { get; set; }
    public string? GrantedRoles { get; set; }

    public string? CredentialReference { get; set; }

    /// <summary>When operators last registered the key (a key refusal observed before it no longer counts).</summary>
    public DateTimeOffset? CredentialRegisteredAt { get; set; }

    public string? InstanceId { get; set; }

    /// <summary>Names one confirmation; the orchestration writes only while the row still carries its attempt (a newer
    /// confirm or a cancel wins).</summary>
    public string? AttemptId { get; set; }

    public DateTimeOffset? LastCheckedAt { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>Why the last check could not decide (App Store Connect unreachable, key rejected, invitation expired);
    /// cleared by a decisive check.</summary>
    public string? LastError { get; set; }

    /// <summary>
    /// <see cref="AppStoreConnectObservation"/> as text: what App Store Connect last answered in this attempt. A check
    /// that gets no answer leaves it, so a failure at the deadline gives the reason last observed, not the last check's
    /// error.
    /// </summary>
    public string? LastObservation { get; set; }

    public DateTimeOffset? LastObservedAt { get; set; }

    /// <summary>
    /// When App Store Connect first refused the registered key of the integration in force (401, or 403 for the key's
    /// access) in a review fetch or a reply send; null once a later such call with the key succeeded or operators
    /// registered a new key. See <see cref="IntegrationKeyRefusals"/>.
    /// </summary>
    public DateTimeOffset? KeyRefusedAt { get; set; }

    /// <summary>What was refused and when, in words the status shows (no secret: the key id at most).</summary>
    public string? KeyRefusal { get; set; }

    /// <summary>
    /// <see cref="ConnectionProblem"/> as text while the connection in force is degraded; null when healthy. Set by a
    /// refused call at once and by the health check (which names the exact cause); cleared by a passing check.
    /// </summary>
    public string? DegradedCause { get; set; }

    /// <summary>Since when the connection is degraded (the first finding; a refined cause keeps it).</summary>
    public DateTimeOffset? DegradedAt { get; set; }

    /// <summary>The cause in words, with what the customer or operators must do; shown in the status and
    /// emailed.</summary>
    public string? DegradedReason { get; set; }

    /// <summary>
    /// The cause the owner was emailed about in this degradation (claimed before the send: at most once per cause);
    /// cleared on recovery, so a later degradation is told again.
    /// </summary>
    public string? DegradedEmailCause { get; set; }

    /// <summary>When the customer disconnected (the status keeps it until a new confirmation).</summary>
    public DateTimeOffset? DisconnectedAt { get; set; }

    /// <summary>
    /// Since when the connection waits on ReviewHub's operators (<see cref="ConnectionActors"/>); null while someone
    /// else must act. Kept by <see cref="IntegrationStore"/> on every write: when the wait ends, the setup's
    /// <see cref="Deadline"/> moves on by the working time it lasted (the deadline counts the customer's time only).
    /// </summary>
    public DateTimeOffset? OperatorsWaitingSince { get; set; }

    /// <summary>When the owner was told that operators are late in this attempt (claimed before the send: at most
    /// once).</summary>
    public DateTimeOffset? OperatorDelayToldAt { get; set; }

    /// <summary>Comma-separated activation steps (listener step names) done in this attempt.</summary>
    public string? ActivationSteps { get; set; }

    /// <summary><see cref="ActivationEmailState"/> as text; null until the "connected" email is claimed.</summary>
    public string? ActivationEmail { get; set; }

    [IgnoreDataMember]
    public string AccountId => PartitionKey;

    [IgnoreDataMember]
    public string ConnectionId => RowKey;

    /// <summary>
    /// The app this row was read for (<see cref="IntegrationStore.GetAsync"/>, or an activation step per linked app);
    /// empty when read as the connection itself. Never stored.
    /// </summary>
    [IgnoreDataMember]
    public string AppId { get; private set; } = string.Empty;

    [IgnoreDataMember]
    public ConnectionMethod MethodValue => Enum.Parse<ConnectionMethod>(Method);

    [IgnoreDataMember]
    public ReplyPermission? ReplyPermissionValue =>
        ReplyPermission is null ? null : Enum.Parse<ReplyPermission>(ReplyPermission);

    /// <summary>The same connection, seen by one of its apps (what fetches and replies of that app read).</summary>
    public IntegrationEntity ForApp(string appId)
    {
        var view = (IntegrationEntity)MemberwiseClone();
        view.AppId = appId;
        return view;
    }

    [IgnoreDataMember]
    public IntegrationKind KindValue => Enum.Parse<IntegrationKind>(Kind);

    [IgnoreDataMember]
    public IntegrationStatus StatusValue => Enum.Parse<IntegrationStatus>(Status);

    /// <summary>An integration is in force (possibly while an upgrade attempt runs).</summary>
    [IgnoreDataMember]
    public bool IsActive => ActiveKind is not null;

    [IgnoreDataMember]
    public IntegrationKind? ActiveKindValue => ActiveKind is null ? null : Enum.Parse<IntegrationKind>(ActiveKind);

    /// <summary>A setup attempt is running (activating included): neither active, failed nor cancelled.</summary>
    [IgnoreDataMember]
    public bool IsInProgress => StatusValue is IntegrationStatus.AwaitingOperator or IntegrationStatus.Verifying
        or IntegrationStatus.InvitationPending or IntegrationStatus.RolesMissing or IntegrationStatus.Activating;

    [IgnoreDataMember]
    public ConnectionProblem? DegradedCauseValue =>
        DegradedCause is null ? null : Enum.Parse<ConnectionProblem>(DegradedCause);

    /// <summary>The connection in force is degraded: fetches and replies pause with <see
    /// cref="DegradedReason"/>.</summary>
    [IgnoreDataMember]
    public bool IsDegraded => IsActive && DegradedCause is not null;

    [IgnoreDataMember]
    public AppStoreConnectObservation? LastObservationValue =>
        LastObservation is null ? null : Enum.Parse<AppStoreConnectObservation>(LastObservation);

    /// <summary>The last observation, unless it is the refusal of a key replaced since.</summary>
    [IgnoreDataMember]
    public AppStoreConnectObservation? ObservationWithCurrentKey =>
        LastObservationValue is AppStoreConnectObservation.KeyRefused && CredentialRegisteredAt > LastObservedAt
            ? null
            : LastObservationValue;

    [IgnoreDataMember]
    public ActivationEmailState? ActivationEmailValue =>
        ActivationEmail is null ? null : Enum.Parse<ActivationEmailState>(ActivationEmail);

    [IgnoreDataMember]
    public IReadOnlyList<string> ActivationStepList =>
        (ActivationSteps ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Only these kinds carry the Customer Support (or Admin) role that replying needs; a team key whose first reply
    /// was refused does not, whatever the kind.
    /// </summary>
    [IgnoreDataMember]
    public bool AllowsReplies => ActiveKindValue is IntegrationKind.FullAccess or IntegrationKind.ReplyToReviews
        && ReplyPermissionValue != Integrations.ReplyPermission.Refused;
}
