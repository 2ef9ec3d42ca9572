using ReviewHub.Storage;

namespace ReviewHub.GooglePlay;

/// <summary>
/// A refused call degrades an active Play connection at once (the fetches of its apps pause from the next one on) and
/// queues a health check, which names the cause from every app and emails the owner once, or recovers a refusal that
/// was passing. Refusals during the verification (expected until the grant propagates) or of a connection already
/// degraded change nothing here.
/// </summary>
internal sealed class PlayRefusalReporter(
    PlayConnectionStore store, PlayConnectionDegradation degradation, IMessageQueue queue) : IPlayRefusalObserver
{
    public async Task OnRefusedAsync(string accountId, string packageName, GooglePlayException refusal,
        CancellationToken cancellationToken)
    {
        if (!await store.IsActiveAsync(accountId, cancellationToken))
        {
            return;
        }
        var cause = refusal.Failure switch
        {
            GooglePlayFailure.NotAuthorized => PlayConnectionProblem.KeyRefused,
            GooglePlayFailure.ApiNotEnabled => PlayConnectionProblem.ApiNotEnabled,
            _ => PlayConnectionProblem.AccessRemoved,
        };
        await degradation.DegradeAsync(accountId, cause, PlayConnectionHealth.ReasonFor(cause,
            $"Google Play refused a call for {packageName} ({refusal.Status:D} {refusal.Reason})."), cancellationToken);
        await queue.SendAsync(GooglePlayQueues.PlayConnectionChecks, new PlayConnectionCheckRequest(accountId),
            cancellationToken: cancellationToken);
    }
}
