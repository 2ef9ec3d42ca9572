using System.Text.Json;
using ReviewHub.Json;
using ReviewHub.Secrets;

namespace ReviewHub.AppStoreConnect;

/// <summary>Reads and writes ASC credentials through the secret store.</summary>
internal sealed class AppStoreConnectCredentialStore(ISecretStore secrets)
{
    public Task<string> SaveAsync(string secretName, AppStoreConnectCredential credential,
        CancellationToken cancellationToken) =>
        secrets.SetAsync(secretName, JsonSerializer.Serialize(credential, ReviewHubJson.Options), cancellationToken);

    /// <summary>The credential behind a reference; throws when it is gone, since a fetch or reply cannot proceed
    /// without it.</summary>
    public async Task<AppStoreConnectCredential> LoadAsync(string reference, CancellationToken cancellationToken)
    {
        var json = await secrets.GetAsync(reference, cancellationToken)
            ?? throw new InvalidOperationException(
            $"The App Store Connect credential '{reference}' is missing from the secret store.");
        return JsonSerializer.Deserialize<AppStoreConnectCredential>(json, ReviewHubJson.Options)
            ?? throw new InvalidOperationException(
            $"The App Store Connect credential '{reference}' is not valid JSON.");
    }
}
