using Microsoft.Extensions.Logging;
using ReviewHub.Integrations;

namespace ReviewHub.GooglePlay;

/// <summary>Degrades a Play connection in force and records it in the connections' audit trail, on a change
/// only.</summary>
internal sealed class PlayConnectionDegradation(
    PlayConnectionStore store, IntegrationEventLog events, TimeProvider clock,
    ILogger<PlayConnectionDegradation> logger)
{
    /// <summary>The audit trail's stream of an account's Play connection (IntegrationEvents, shared with App Store
    /// Connect connections, whose streams are 32-character ids).</summary>
    public static string EventStreamFor(string accountId) => $"google-play-{accountId}";

    public async Task DegradeAsync(
        string accountId, PlayConnectionProblem cause, string reason, CancellationToken cancellationToken)
    {
        if (await store.DegradeAsync(accountId, cause, reason, cancellationToken))
        {
            await events.RecordAsync(accountId, EventStreamFor(accountId), IntegrationEventKind.Degraded,
                clock.GetUtcNow(), null, $"{cause}: {reason}", cancellationToken);
            logger.LogWarning("Google Play connection of {AccountId} degraded: {Cause} {Reason}", accountId, cause,
                reason);
        }
    }
}
