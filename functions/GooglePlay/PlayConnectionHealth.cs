using Microsoft.Extensions.Logging;
using ReviewHub.Integrations;

namespace ReviewHub.GooglePlay;

/// <summary>What a health check of a Play connection did.</summary>
internal enum PlayHealthOutcome
{
    /// <summary>Readable: active (recovered, if it was degraded).</summary>
    Healthy,
    /// <summary>Degraded with the cause (the owner told once per cause).</summary>
    Degraded,
    /// <summary>Google did not answer (429, 5xx, timeout): nothing changed; the caller checks again later.</summary>
    Undecided,
    /// <summary>No connection in force: nothing to check.</summary>
    NotInForce,
}

/// <summary>
/// Health of a Play connection after activation: the verification's probe again (every Android app read with the
/// account's service account). A refusal degrades the connection with the exact cause and emails the owner once per
/// cause; a passing check returns it to Active, records the recovery, and the listeners fetch the gap at once. Run
/// daily, right after a refused call (queued by <see cref="PlayRefusalReporter"/>), and from "I fixed it".
/// </summary>
internal sealed class PlayConnectionHealth(
    PlayConnectionStore store, PlayGrantProbe probe, PlayConnectionDegradation degradation,
    PlayConnectionEmails emails, IntegrationEventLog events, IEnumerable<IPlayConnectionListener> listeners,
    TimeProvider clock, ILogger<PlayConnectionHealth> logger)
{
    public async Task<PlayHealthOutcome> CheckAsync(string accountId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(accountId, cancellationToken) is not { IsInForce: true })
        {
            return PlayHealthOutcome.NotInForce;
        }
        PlayGrantFinding finding;
        try
        {
            finding = await probe.ProbeAsync(accountId, cancellationToken);
        }
        catch (GooglePlayException ex) when (ex.IsTransient || ex.Failure == GooglePlayFailure.MalformedResponse)
        {
            logger.LogWarning("Google Play health check of {AccountId} undecided: {Error}", accountId, ex.Message);
            return PlayHealthOutcome.Undecided;
        }
        if (CauseOf(finding.State) is not { } cause)
        {
            if (await store.RecoverAsync(accountId, cancellationToken))
            {
                await events.RecordAsync(accountId, PlayConnectionDegradation.EventStreamFor(accountId),
                    IntegrationEventKind.Recovered, clock.GetUtcNow(), null, finding.Detail, cancellationToken);
                logger.LogInformation("Google Play connection of {AccountId} recovered", accountId);
            }
            foreach (var listener in listeners)
            {
                await listener.OnReadableAsync(accountId, cancellationToken);
            }
            return PlayHealthOutcome.Healthy;
        }
        await degradation.DegradeAsync(accountId, cause, ReasonFor(cause, finding.Detail), cancellationToken);
        await emails.SendOnceAsync(accountId, PlayOwnerEmail.Degraded, cancellationToken);
        return PlayHealthOutcome.Degraded;
    }

    public static PlayConnectionProblem? CauseOf(PlayGrantState state) => state switch
    {
        PlayGrantState.NotGranted => PlayConnectionProblem.AccessRemoved,
        PlayGrantState.KeyMissing or PlayGrantState.KeyRefused => PlayConnectionProblem.KeyRefused,
        PlayGrantState.ApiNotEnabled => PlayConnectionProblem.ApiNotEnabled,
        _ => null, // granted, or no Android app left to read: nothing is broken
    };

    public static string ReasonFor(PlayConnectionProblem cause, string detail) => cause switch
    {
        PlayConnectionProblem.AccessRemoved => $"{detail} Invite the service account again in Play Console with " +
            $"{PlayConnectionActors.Permissions} (or restore its app access).",
        _ => $"{detail} ReviewHub's operators are on it.",
    };
}
