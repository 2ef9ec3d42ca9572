using System.Runtime.Serialization;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;

using ReviewHub.Secrets;

namespace ReviewHub.Integrations;

/// <summary>The integration kinds a customer can set up, each with its own required App Store Connect roles.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IntegrationKind>))]
public enum IntegrationKind
{
    FullAccess,
    ReplyToReviews,
    AsoReport,
    SalesReport,
}

/// <summary>Lifecycle of an App Store Connect integration.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IntegrationStatus>))]
public enum IntegrationStatus
{
    /// <summary>The customer confirmed the invitation; waiting for operators to accept it and register the API
    /// key.</summary>
    AwaitingOperator,
    /// <summary>Credential registered; checking the integration user's roles through the API.</summary>
    Verifying,
    /// <summary>The invitation is still pending in App Store Connect.</summary>
    InvitationPending,
    /// <summary>Roles are missing; the owner was told which. Waiting for a fix until the deadline.</summary>
    RolesMissing,
    /// <summary>
    /// Verified and in force (<see cref="IntegrationEntity.ActiveKind"/> is set); the activation steps (hourly
    /// fetching, history import, the owner's email) are not all done yet. Every retry resumes the steps still undone.
    /// </summary>
    Activating,
    /// <summary>Verified, and every activation step is done.</summary>
    Active,
    Failed,
    Cancelled,
    /// <summary>
    /// Was active; App Store Connect stopped taking the connection (<see cref="IntegrationEntity.DegradedCause"/> says
    /// why). Fetches and replies pause; a passing health check returns it to <see cref="Active"/>.
    /// </summary>
    Degraded,
    /// <summary>The customer disconnected: the key is deleted, the app is back on the public feed.</summary>
    Disconnected,
}

/// <summary>Why a connection in force is degraded: what the health check (or a refused call) found.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConnectionProblem>))]
public enum ConnectionProblem
{
    /// <summary>401: the key was revoked or deleted (also: the user it belonged to was removed).</summary>
    KeyRevoked,
    /// <summary>403 FORBIDDEN_ERROR for the key, before a check could say more.</summary>
    KeyForbidden,
    /// <summary>The key works, but the integration user is no longer in the team.</summary>
    UserRemoved,
    /// <summary>The integration user lost roles the kind in force needs.</summary>
    RolesReduced,
    /// <summary>The key no longer sees the app (its access to the app was removed).</summary>
    AppAccessRemoved,
}

/// <summary>What App Store Connect last answered about the integration user: why a setup fails.</summary>
public enum AppStoreConnectObservation
{
    /// <summary>The team has neither a user nor an invitation for the integration email.</summary>
    NotInvited,
    InvitationPending,
    InvitationExpired,
    RolesMissing,
    /// <summary>App Store Connect refused the registered key (401/403): operators must register another one.</summary>
    KeyRefused,
    /// <summary>The Account Holder has not accepted Apple's latest agreements, so the API cannot be used.</summary>
    AgreementsMissing,
    /// <summary>
    /// ReviewHub's operators found no invitation for the integration email in its mailbox (their "no invitation
    /// found"): the customer must invite (again) and say so; until then the wait and the deadline are the customer's.
    /// </summary>
    NoInvitationReceived,
}

/// <summary>
/// Where the owner's "connected" email of an attempt stands. It is claimed (<see cref="Sending"/>) before the send, so
/// a retry that finds the claim knows an earlier send may have reached SendGrid and does not send again (at most once).
/// </summary>
public enum ActivationEmailState
{
    Sending,
    Sent,
    /// <summary>SendGrid refused it for good (key, sender or address); logged, not retried.</summary>
    Refused,
    /// <summary>A send got no answer (timeout, lost connection, crash): it may have arrived; not resent.</summary>
    Unconfirmed,
}

/// <summary>
/// The connection of one account to one App Store Connect team: one invitation (or one team key) and one verification
/// cover every app of the team. PartitionKey = accountId, RowKey = connectionId (<see cref="ConnectionIds.For"/>).
/// Apps point to it through <see cref="ConnectionAppEntity"/> links. The credential itself is never here:
/// <see cref="CredentialReference"/> names its Key Vault secret.
/// </summary>
public sealed class IntegrationEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;
    public string RowKey { get; set; } = string.Empty;
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

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

/// <summary>
/// The vault name of a connection's App Store Connect key: one per connection, derived from its ids, so a disconnect
/// finds the key (and ingestion the key's budget row, kept under this reference) even when nothing else names it.
/// </summary>
public static class IntegrationCredentials
{
    public static string SecretName(string accountId, string connectionId) =>
        SecretNames.For("asc", accountId, connectionId);
}

/// <summary>How a connection got its key.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConnectionMethod>))]
public enum ConnectionMethod
{
    /// <summary>The customer invited ReviewHub's integration user; operators accepted and registered its key.</summary>
    Invitation,
    /// <summary>The customer uploaded a team API key; no operator acts.</summary>
    TeamKey,
}

/// <summary>Whether the key may reply to reviews, as far as App Store Connect has told (a reply is the only
/// test).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReplyPermission>))]
public enum ReplyPermission
{
    Confirmed,
    Refused,
}

/// <summary>
/// One connection per account and App Store Connect team: the id is derived from the team's name (trimmed, case
/// ignored), so two "I've invited" for the same team race on one row instead of creating two connections.
/// </summary>
public static class ConnectionIds
{
    public static string For(string team) => Convert.ToHexStringLower(
        System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(team.Trim().ToUpperInvariant())))[..32];
}

/// <summary>
/// Told when an integration becomes active (ingestion switches the app to hourly API fetching and starts its backfill).
/// Each listener is one activation step, recorded on the row once it returned; until then every retry calls it again
/// (also after it partly succeeded, or succeeded just before a crash): implementations are idempotent and complete
/// whatever they left undone.
/// </summary>
public interface IIntegrationActivationListener
{
    /// <summary>Names the step on the row and in errors; stable (a renamed step runs again on resume).</summary>
    string ActivationStep { get; }

    Task OnActivatedAsync(IntegrationEntity integration, CancellationToken cancellationToken);
}

/// <summary>
/// Told when a connection in force stops or resumes: the features that use its key fall back or catch up (ingestion
/// returns the app to the public feed's schedule on disconnect, and fetches the gap from its watermark on recovery).
/// Implementations are idempotent: a repeated disconnect or check calls them again.
/// </summary>
public interface IIntegrationConnectionListener
{
    Task OnDisconnectedAsync(string accountId, string appId, CancellationToken cancellationToken);

    /// <summary>A connection's key is no longer used (deleted on disconnect): forget what was kept per key.</summary>
    Task OnKeyRetiredAsync(string credentialReference, CancellationToken cancellationToken);

    Task OnRecoveredAsync(IntegrationEntity integration, CancellationToken cancellationToken);
}
