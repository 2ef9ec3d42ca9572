namespace ReviewHub.AppStoreConnect;

/// <summary>A successful App Store Connect response: the JSON:API document and the key's remaining hourly
/// budget.</summary>
internal sealed record AppStoreConnectResponse<T>(T Document, RateLimit? RateLimit);
