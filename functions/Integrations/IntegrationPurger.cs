using ReviewHub.Apps;
using ReviewHub.Secrets;

namespace ReviewHub.Integrations;

/// <summary>
/// Removes a removed app's integration: its API key from the vault, then its audit trail and its row. A setup
/// orchestration still waiting finds the row gone at its next check and ends itself (the purge runs from a queue, where
/// no Durable client is bound). The key is also deleted under the name registration gives it, so a key registered while
/// the purge ran is not left behind.
/// </summary>
public sealed class IntegrationPurger(IntegrationStore store, IntegrationEventLog events, ISecretStore secrets)
    : IAppDataPurger
{
    public async Task PurgeAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(accountId, appId, cancellationToken);
        var byName = IntegrationCredentials.SecretName(accountId, appId);
        if (row?.CredentialReference is { } reference && reference != byName)
        {
            await secrets.DeleteAsync(reference, cancellationToken);
        }
        await secrets.DeleteAsync(byName, cancellationToken);
        await events.PurgeAsync(appId, cancellationToken);
        await store.DeleteAsync(accountId, appId, cancellationToken);
    }
}
