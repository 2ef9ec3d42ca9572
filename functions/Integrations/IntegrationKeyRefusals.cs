using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;
using ReviewHub.Storage;

namespace ReviewHub.Integrations;

/// <summary>
/// Makes a refused key visible at once: the features that call App Store Connect with the key of an integration in
/// force on the customer's behalf (the review fetch, a reply send) report here what happened. A refusal — 401 (revoked,
/// deleted, or not the registered key) or 403 FORBIDDEN_ERROR (the key's access does not allow the call); an unsigned
/// agreement or an outage is not the key's — is recorded (since when, which call) and degrades the connection, and a
/// health check is queued that names the exact cause (and emails the owner). The callers pause instead of retrying
/// into errors. A later call with the key that succeeds, or a new key, ends it.
/// </summary>
internal sealed class IntegrationKeyRefusals(
    IntegrationStore store, IMessageQueue queue, TimeProvider clock, ILogger<IntegrationKeyRefusals> logger)
{
    public static bool IsKeyRefusal(AppStoreConnectException ex) =>
        ex.Failure is AppStoreConnectFailure.NotAuthorized or AppStoreConnectFailure.Forbidden;

    /// <summary>
    /// Records <paramref name="ex"/> on the connection when it is a refusal of the key <paramref name="connection"/>
    /// (read before the call) had registered. <paramref name="call"/> says what was refused ("fetching reviews").
    /// True when the caller must pause: the key of a connection in force was refused.
    /// </summary>
    public async Task<bool> RecordAsync(
        AppConnection connection, string call, AppStoreConnectException ex, CancellationToken cancellationToken)
    {
        var integration = connection.Row;
        if (!IsKeyRefusal(ex) || !integration.IsActive)
        {
            return false;
        }
        var now = clock.GetUtcNow();
        var refusal = $"App Store Connect refused the registered API key ({(int?)ex.Status} {ex.Code}) when {call} " +
            $"on {now:yyyy-MM-dd HH:mm} UTC: it was revoked or lost its access; ReviewHub operators must register a " +
            "new key.";
        var cause = ex.Failure == AppStoreConnectFailure.NotAuthorized
            ? ConnectionProblem.KeyRevoked
            : ConnectionProblem.KeyForbidden;
        if (await store.RecordKeyRefusedAsync(integration, now, cause, refusal, cancellationToken))
        {
            logger.LogWarning(
                "App Store Connect refused the key of {AccountId}/{ConnectionId} when {Call}: {Status} {Code}",
                integration.AccountId, integration.ConnectionId, call, (int?)ex.Status, ex.Code);
            await queue.SendAsync(IntegrationQueues.IntegrationHealthChecks,
                new IntegrationHealthCheckRequest(integration.AccountId, integration.ConnectionId),
                cancellationToken: cancellationToken);
        }
        return true;
    }

    /// <summary>
    /// A reply went through with the key: besides clearing a refusal, it answers what a team key's role could not
    /// tell before (the key may reply).
    /// </summary>
    public async Task ReplyAcceptedAsync(AppConnection connection, CancellationToken cancellationToken)
    {
        await store.RecordReplyPermissionAsync(connection.Row, ReplyPermission.Confirmed, cancellationToken);
        await AcceptedAsync(connection, cancellationToken);
    }

    /// <summary>
    /// App Store Connect refused a reply. A 403 to the first reply of a team key says the key's role may not reply:
    /// that is recorded on the connection (fetching goes on; the reply keeps its text and fails with its reason, to
    /// be sent again with a better key). Anything else is a refused key (<see cref="RecordAsync"/>).
    /// </summary>
    public async Task<bool> ReplyRefusedAsync(
        AppConnection connection, AppStoreConnectException ex, CancellationToken cancellationToken)
    {
        var integration = connection.Row;
        if (ex.Failure == AppStoreConnectFailure.Forbidden && integration.MethodValue == ConnectionMethod.TeamKey
            && integration.ReplyPermissionValue != ReplyPermission.Confirmed)
        {
            await store.RecordReplyPermissionAsync(integration, ReplyPermission.Refused, cancellationToken);
            return true;
        }
        return await RecordAsync(connection, "sending a reply", ex, cancellationToken);
    }

    /// <summary>A call with the key of <paramref name="connection"/> (read before the call) succeeded.</summary>
    public Task AcceptedAsync(AppConnection connection, CancellationToken cancellationToken) =>
        store.ClearKeyRefusalAsync(connection.Row, cancellationToken);
}
