using ReviewHub.AppStoreConnect;
using ReviewHub.Integrations;

namespace ReviewHub.Replies;

/// <summary>
/// What <see cref="ReplyCredentials"/> found for an app: the key and its connection; or the connection alone when it
/// is degraded (<see cref="HeldBecause"/>: replies wait, nothing is sent with the key); or the failure.
/// </summary>
internal sealed record ReplyKey(
    AppStoreConnectCredential? Credential, AppConnection? Connection, ReplyFailure? Failure)
{
    /// <summary>Why replies of the app wait now (the connection's degraded reason); null when they need not.</summary>
    public string? HeldBecause => Credential is null && Failure is null ? Connection?.DegradedReason : null;
}
