using System.Text.Json;
using ReviewHub.Secrets;

namespace ReviewHub.GooglePlay;

/// <summary>
/// Each ReviewHub account's own Google service account. One account per tenant, never one shared by all: Play grants
/// access to an email, so with a shared email any tenant could register another tenant's package name and ReviewHub
/// would read (and reply to) that app's reviews with access the other tenant granted. The key lives in Key Vault
/// (locally the secret store's folder) under a name derived from the account id; tables hold nothing of it.
/// </summary>
internal sealed class GooglePlayServiceAccounts(ISecretStore secrets)
{
    public static string SecretNameFor(string accountId) => SecretNames.For("google-play-sa", accountId);

    /// <summary>Stores an operator-provisioned key file for the account (replacing one stored before).</summary>
    public async Task<GooglePlayServiceAccountKey> SaveAsync(string accountId, string keyFileJson,
        CancellationToken cancellationToken)
    {
        var key = GooglePlayServiceAccountKey.Parse(keyFileJson, out var problem)
            ?? throw new ArgumentException($"The service-account key {problem}", nameof(keyFileJson));
        await secrets.SetAsync(SecretNameFor(accountId), JsonSerializer.Serialize(key), cancellationToken);
        return key;
    }

    /// <summary>The account's key, or null when none was provisioned.</summary>
    public async Task<GooglePlayServiceAccountKey?> FindAsync(string accountId, CancellationToken cancellationToken)
    {
        var json = await secrets.GetAsync(SecretNameFor(accountId), cancellationToken);
        return json is null
            ? null
            : JsonSerializer.Deserialize<GooglePlayServiceAccountKey>(json)! with { AccountId = accountId };
    }

    public Task DeleteAsync(string accountId, CancellationToken cancellationToken) =>
        secrets.DeleteAsync(SecretNameFor(accountId), cancellationToken);
}
