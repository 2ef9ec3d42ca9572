using Microsoft.Extensions.Logging;
using ReviewHub.Integrations;

namespace ReviewHub.Replies;

/// <summary>The App Store Connect key replies of an app are sent and followed with, or why there is none.</summary>
internal sealed class ReplyCredentials(AppConnections connections, ILogger<ReplyCredentials> logger)
{
    /// <summary>
    /// The key, with the connection it was read from (to report App Store Connect's answer to the key through
    /// <see cref="IntegrationKeyRefusals"/>); or why replies wait (a degraded connection: its key is not even loaded);
    /// or why there is none.
    /// </summary>
    public async Task<ReplyKey> LoadAsync(string accountId, string appId, CancellationToken cancellationToken)
    {
        var connection = await connections.GetAsync(accountId, appId, cancellationToken);
        if (connection is null || !connection.AllowsReplies)
        {
            return new(null, null, ReplyFailure.IntegrationInactive);
        }
        if (connection.IsDegraded)
        {
            return new(null, connection, null);
        }
        try
        {
            if (connection.KeyReference is not null)
            {
                return new(await connections.LoadKeyAsync(connection, cancellationToken), connection, null);
            }
        }
        catch (InvalidOperationException ex)
        {
            logger.LogError(ex, "The App Store Connect credential of app {AppId} cannot be loaded", appId);
        }
        return new(null, null, ReplyFailure.CredentialMissing);
    }

    public static string Explain(ReplyFailure failure) => failure == ReplyFailure.IntegrationInactive
        ? "The app's App Store Connect integration is no longer active or no longer allows replies."
        : "The integration's App Store Connect key is missing; ReviewHub operators must register it again.";
}
