using ReviewHub.AppStoreConnect;

namespace ReviewHub.Integrations;

/// <summary>
/// The integrations feature's answer to "which App Store Connect key fetches and replies for this app, and may it now":
/// the one operation the review fetch and the reply sender use instead of reading connection rows.
/// </summary>
internal sealed class AppConnections(IntegrationStore store, AppStoreConnectCredentialStore credentials)
{
    /// <summary>The connection serving the app; null when none links it (the app is read from the public feed).
    /// </summary>
    public async Task<AppConnection?> GetAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        await store.GetAsync(accountId, appId, cancellationToken) is { } row ? AppConnection.Of(row, appId) : null;

    /// <summary>
    /// Whether the connection <paramref name="read"/> showed is still the one in force with the same key (false after
    /// a disconnect, or a new key, since the read): a call made with the key in between was made for a connection
    /// that is gone.
    /// </summary>
    public async Task<bool> IsStillInForceAsync(AppConnection read, CancellationToken cancellationToken) =>
        await store.GetAsync(read.AccountId, read.AppId, cancellationToken) is { IsActive: true } now
        && now.CredentialReference == read.Row.CredentialReference;

    /// <summary>
    /// The key of <paramref name="connection"/> from Key Vault. Throws <see cref="InvalidOperationException"/> when
    /// it has none in force or the secret is missing (operators must register it again).
    /// </summary>
    public Task<AppStoreConnectCredential> LoadKeyAsync(
        AppConnection connection, CancellationToken cancellationToken) =>
        connection.KeyReference is { } reference
            ? credentials.LoadAsync(reference, cancellationToken)
            : throw new InvalidOperationException(
                $"The App Store Connect connection of app {connection.AppId} has no registered key in force.");
}
