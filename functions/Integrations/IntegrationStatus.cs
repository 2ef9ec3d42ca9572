using System.Text.Json.Serialization;

namespace ReviewHub.Integrations;

/// <summary>Lifecycle of an App Store Connect integration.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IntegrationStatus>))]
internal enum IntegrationStatus
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
