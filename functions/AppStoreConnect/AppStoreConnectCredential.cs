namespace ReviewHub.AppStoreConnect;

/// <summary>
/// An App Store Connect API key: issuer id (null for an individual key), key id and the .p8 private key (PEM).
/// Stored as one JSON secret; tables hold only its reference.
/// </summary>
internal sealed record AppStoreConnectCredential(string? IssuerId, string KeyId, string PrivateKeyPem)
{
    public override string ToString() => $"AppStoreConnectCredential {{ KeyId = {KeyId} }}";
}
