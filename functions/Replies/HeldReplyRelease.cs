using Microsoft.Extensions.Logging;
using ReviewHub.Integrations;
using ReviewHub.Storage;

namespace ReviewHub.Replies;

/// <summary>
/// Releases the replies held while an app's connection was degraded (<see cref="ReplyStatus.Paused"/>): when the
/// connection works again they are queued and sent, each version once (the sender applies a version once, so a release
/// racing the tracker or a duplicate message posts nothing twice); when it is disconnected the sender fails them
/// (<see cref="ReplyFailure.IntegrationInactive"/>), keeping their text. Reads only the app's entries in the in-flight
/// index, at most <see cref="MaxEntriesPerRelease"/>; the tracker releases any rest.
/// </summary>
internal sealed class HeldReplyRelease(ReplyStore store, IMessageQueue queue, ILogger<HeldReplyRelease> logger)
    : IIntegrationConnectionListener
{
    public const int MaxEntriesPerRelease = 2_000;

    public Task OnRecoveredAsync(AppConnection connection, CancellationToken cancellationToken) =>
        ReleaseAsync(connection.AppId, cancellationToken);

    public Task OnDisconnectedAsync(string accountId, string appId, CancellationToken cancellationToken) =>
        ReleaseAsync(appId, cancellationToken);

    public Task OnKeyRetiredAsync(string credentialReference, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Queues every held reply of the app; returns how many.</summary>
    public async Task<int> ReleaseAsync(string appId, CancellationToken cancellationToken)
    {
        var (read, released) = (0, 0);
        await foreach (var entry in store.QueuedEntriesAsync(appId, cancellationToken))
        {
            if (++read > MaxEntriesPerRelease)
            {
                break;
            }
            if (await store.GetAsync(appId, entry.ReviewId, cancellationToken) is { StatusValue: ReplyStatus.Paused }
                reply)
            {
                await queue.SendAsync(ReplyQueues.ReplySends, MessageFor(reply), cancellationToken: cancellationToken);
                released++;
            }
        }
        if (released > 0)
        {
            logger.LogInformation("Released {Count} held replies of app {AppId}", released, appId);
        }
        return released;
    }

    /// <summary>The message that sends a held reply's current version (the attempt its hold left for it).</summary>
    public static ReplySendMessage MessageFor(ReplyEntity reply) =>
        new(reply.AccountId, reply.AppId, reply.ReviewId, reply.Version, Math.Max(1, reply.Attempts));
}
