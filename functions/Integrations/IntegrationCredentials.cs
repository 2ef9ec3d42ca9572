using ReviewHub.Secrets;

namespace ReviewHub.Integrations;

/// <summary>
/// The vault name of a connection's App Store Connect key: one per connection, derived from its ids, so a disconnect
/// finds the key (and ingestion the key's budget row, kept under this reference) even when nothing else names it.
/// </summary>
internal static class IntegrationCredentials
{
    public static string SecretName(string accountId, string connectionId) =>
        SecretNames.For("asc", accountId, connectionId);
}
