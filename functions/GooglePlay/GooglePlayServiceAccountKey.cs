using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReviewHub.GooglePlay;

/// <summary>
/// A Google service account's key, from the JSON key file Google Cloud issues: the account's email (what the customer
/// invites in Play Console), the key id and the RSA private key (PEM).
/// </summary>
internal sealed record GooglePlayServiceAccountKey(string ClientEmail, string PrivateKeyId, string PrivateKeyPem)
{
    /// <summary>The ReviewHub account the key was read for (not stored with it): a refusal of a call made with it is
    /// reported against that account's Play connection.</summary>
    [JsonIgnore]
    public string? AccountId { get; init; }

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
