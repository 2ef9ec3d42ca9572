using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReviewHub.Secrets;

namespace ReviewHub.GooglePlay;

/// <summary>
/// A Google service account's key, from the JSON key file Google Cloud issues: the account's email (what the customer
/// invites in Play Console), the key id and the RSA private key (PEM).
/// </summary>
public sealed record GooglePlayServiceAccountKey(string ClientEmail, string PrivateKeyId, string PrivateKeyPem)
{
    public override string ToString() => $"GooglePlayServiceAccountKey {{ ClientEmail = {ClientEmail} }}";

    /// <summary>Reads a key file; null with the reason when it is not a usable service-account key.</summary>
    public static GooglePlayServiceAccountKey? Parse(string json, out string? problem)
    {
        KeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize<KeyFile>(json);
        }
        catch (JsonException)
        {
            file = null;
        }
        problem = file switch
        {
            null => "is not a JSON key file.",
            { Type: not "service_account" } => "must be a key of type service_account.",
            { ClientEmail: null or "" } or { PrivateKeyId: null or "" } or { PrivateKey: null or "" } =>
                "must hold client_email, private_key_id and private_key.",
            _ when !IsRsaPrivateKey(file.PrivateKey) => "holds a private_key that is not an RSA private key (PEM).",
            _ => null,
        };
        return problem is null
            ? new GooglePlayServiceAccountKey(file!.ClientEmail!, file.PrivateKeyId!, file.PrivateKey!)
            : null;
    }

    private static bool IsRsaPrivateKey(string pem)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return false;
        }
    }

    private sealed record KeyFile(
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("client_email")] string? ClientEmail,
        [property: JsonPropertyName("private_key_id")] string? PrivateKeyId,
        [property: JsonPropertyName("private_key")] string? PrivateKey);
}

/// <summary>
/// Each ReviewHub account's own Google service account. One account per tenant, never one shared by all: Play grants
/// access to an email, so with a shared email any tenant could register another tenant's package name and ReviewHub
/// would read (and reply to) that app's reviews with access the other tenant granted. The key lives in Key Vault
/// (locally the secret store's folder) under a name derived from the account id; tables hold nothing of it.
/// </summary>
public sealed class GooglePlayServiceAccounts(ISecretStore secrets)
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
        return json is null ? null : JsonSerializer.Deserialize<GooglePlayServiceAccountKey>(json);
    }

    public Task DeleteAsync(string accountId, CancellationToken cancellationToken) =>
        secrets.DeleteAsync(SecretNameFor(accountId), cancellationToken);
}
