using Microsoft.Extensions.Logging;
using ReviewHub.AppStoreConnect;

namespace ReviewHub.Integrations;

/// <summary>
/// Makes a refused key visible: the features that call App Store Connect with the key of an integration in force on
/// the customer's behalf (the review fetch, a reply send) report here what happened, so that the integration status
/// says when App Store Connect started refusing the key and in which call, until a later call with the key succeeds
/// or operators register a new one. Refused means 401 (revoked, deleted, or not the registered key) or 403
/// FORBIDDEN_ERROR (the key's access does not allow the call); an unsigned agreement or an outage is not the key's.
/// This records only; health checks and a degraded state per connection are a later change.
/// </summary>
public sealed class IntegrationKeyRefusals(
    IntegrationStore store, TimeProvider clock, ILogger<IntegrationKeyRefusals> logger)
{
    public static bool IsKeyRefusal(AppStoreConnectException ex) =>
        ex.Failure is AppStoreConnectFailure.NotAuthorized or AppStoreConnectFailure.Forbidden;

    /// <summary>
    /// Records <paramref name="ex"/> on the integration when it is a refusal of the key <paramref name="integration"/>
    /// (read before the call) had registered. <paramref name="call"/> says what was refused ("fetching reviews").
    /// </summary>
    public async Task RecordAsync(
        IntegrationEntity integration, string call, AppStoreConnectException ex, CancellationToken cancellationToken)
    {
        if (!IsKeyRefusal(ex))
        {
            return;
        }
        var now = clock.GetUtcNow();
        var refusal = $"App Store Connect refused the registered API key ({(int?)ex.Status} {ex.Code}) when {call} " +
            $"on {now:yyyy-MM-dd HH:mm} UTC: it was revoked or lost its access; ReviewHub operators must register a " +
            "new key.";
        if (await store.RecordKeyRefusedAsync(integration, now, refusal, cancellationToken))
        {
            logger.LogWarning("App Store Connect refused the key of {AccountId}/{AppId} when {Call}: {Status} {Code}",
                integration.AccountId, integration.AppId, call, (int?)ex.Status, ex.Code);
        }
    }

    /// <summary>A call with the key of <paramref name="integration"/> (read before the call) succeeded.</summary>
    public Task AcceptedAsync(IntegrationEntity integration, CancellationToken cancellationToken) =>
        store.ClearKeyRefusalAsync(integration, cancellationToken);
}
