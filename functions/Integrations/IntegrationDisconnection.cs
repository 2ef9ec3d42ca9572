using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using ReviewHub.Secrets;

namespace ReviewHub.Integrations;

/// <summary>
/// The customer disconnects an app's integration: the row stops naming a key or a kind in force (so every fetch and
/// reply read after it goes without the key), the key is deleted from the vault, a running setup is cancelled, the
/// features fall back (ingestion: the public feed's schedule), and the event goes into the audit trail. Every step is
/// idempotent, so a repeated disconnect completes one that stopped halfway and otherwise changes nothing.
/// </summary>
internal sealed class IntegrationDisconnection(
    IntegrationStore store,
    ISecretStore secrets,
    IntegrationEventLog events,
    ConnectionAppStore links,
    IEnumerable<IIntegrationConnectionListener> listeners,
    TimeProvider clock,
    ILogger<IntegrationDisconnection> logger)
{
    /// <summary>The disconnected row, or null when the app never had an integration.</summary>
    public async Task<IntegrationEntity?> DisconnectAsync(
        string accountId, string connectionId, string userId, DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        var before = await store.DisconnectAsync(accountId, connectionId, clock.GetUtcNow(), cancellationToken);
        var row = await store.GetConnectionAsync(accountId, connectionId, cancellationToken);
        if (row is null)
        {
            return null;
        }
        var byName = IntegrationCredentials.SecretName(accountId, connectionId);
        string[] retired = before?.CredentialReference is { } reference && reference != byName
            ? [reference, byName]
            : [byName];
        foreach (var key in retired)
        {
            await secrets.DeleteAsync(key, cancellationToken);
            foreach (var listener in listeners)
            {
                await listener.OnKeyRetiredAsync(key, cancellationToken);
            }
        }
        foreach (var link in await links.LinkedAppsAsync(accountId, connectionId, cancellationToken))
        {
            foreach (var listener in listeners)
            {
                await listener.OnDisconnectedAsync(accountId, link.AppId, cancellationToken);
            }
        }
        if (before is { IsInProgress: true, InstanceId: { } instanceId })
        {
            // Its activities write only while the row runs their attempt: from here on they find it disconnected.
            await durable.RaiseEventAsync(instanceId, CancelSetupEvent.Name,
                new CancelSetupEvent(SetupStopReason.Disconnected, userId), cancellationToken);
        }
        var detail = before is null
            ? "Disconnected."
            : $"Disconnected (was {before.Status}{(before.ActiveKind is { } kind ? $", {kind} in force" : "")}); " +
              "the API key was deleted and reviews come from the public App Store feed again.";
        await events.RecordAsync(accountId, connectionId, IntegrationEventKind.Disconnected, row.DisconnectedAt!.Value,
            userId, detail, cancellationToken);
        if (before is not null)
        {
            logger.LogInformation("Integration of {AccountId}/{ConnectionId} disconnected by {UserId}",
                accountId, connectionId, userId);
        }
        return row;
    }
}
