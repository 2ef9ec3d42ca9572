using ReviewHub.Apps;
using ReviewHub.GooglePlay;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// When an account's Google Play connection becomes usable (verified, or recovered), each of its Android apps is
/// fetched at once rather than at its next hourly slot: the first poll reads the 7-day window, a recovery reads what
/// changed since the watermark the paused fetches kept. A duplicate fetch is harmless (the fetch is idempotent).
/// </summary>
internal sealed class PlayConnectionFetches(AppStore apps, IMessageQueue queue) : IPlayConnectionListener
{
    public async Task OnReadableAsync(string accountId, CancellationToken cancellationToken)
    {
        var android = (await apps.ListAsync(accountId, cancellationToken)).Where(a => a.Store == Stores.GooglePlay);
        foreach (var app in android)
        {
            await queue.SendAsync(ReviewQueues.ReviewFetches, new ReviewFetchRequest(accountId, app.AppId),
                cancellationToken: cancellationToken);
        }
    }
}
