namespace ReviewHub.Integrations;

/// <summary>
/// One connection per account and App Store Connect team: the id is derived from the team's name (trimmed, case
/// ignored), so two "I've invited" for the same team race on one row instead of creating two connections.
/// </summary>
internal static class ConnectionIds
{
    public static string For(string team) => Convert.ToHexStringLower(
        System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(team.Trim().ToUpperInvariant())))[..32];
}
