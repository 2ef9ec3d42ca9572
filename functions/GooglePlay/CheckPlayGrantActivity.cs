using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace ReviewHub.GooglePlay;

/// <summary>
/// One verification poll: reads the account's Android apps with its service account (<see cref="PlayGrantProbe"/>).
/// Readable → Active, and the listeners fetch at once; otherwise the finding is recorded (the status shows it, and
/// it becomes the failure reason at the deadline) with whether the deadline came by this activity's clock. Writes
/// only while the row runs this attempt; a retry after a crash past the activation finds it in force and completes it.
/// </summary>
internal sealed class CheckPlayGrantActivity(
    PlayConnectionStore store, PlayGrantProbe probe, IEnumerable<IPlayConnectionListener> listeners,
    TimeProvider clock, ILogger<CheckPlayGrantActivity> logger) : TaskActivity<PlayVerification, PlayCheckResult>
{
    private static readonly PlayCheckResult Gone = new(PlayCheckState.Gone, false);

    public override Task<PlayCheckResult> RunAsync(TaskActivityContext context, PlayVerification input) =>
        ExecuteAsync(input, CancellationToken.None);

    public async Task<PlayCheckResult> ExecuteAsync(PlayVerification input, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(input.AccountId, cancellationToken);
        if (row is null || row.AttemptId != input.AttemptId)
        {
            return Gone;
        }
        if (row.IsInForce)
        {
            return await ReadableAsync(input.AccountId, cancellationToken);
        }
        // Transient Play failures (429, 5xx, no answer) escape to the orchestration's retry policy.
        var finding = await probe.ProbeAsync(input.AccountId, cancellationToken);
        var now = clock.GetUtcNow();
        var verified = finding.State == PlayGrantState.Granted;
        var updated = await store.UpdateAttemptAsync(input.AccountId, input.AttemptId, r =>
        {
            (r.LastCheckedAt, r.LastObservation, r.ObservationOnOperators) = (now, finding.Detail, finding.OnOperators);
            if (verified)
            {
                r.Status = nameof(PlayConnectionStatus.Active);
                r.VerifiedAt = now;
            }
        }, cancellationToken);
        if (updated is null)
        {
            return Gone;
        }
        if (verified)
        {
            logger.LogInformation("Google Play connection of {AccountId} verified: {Finding}", input.AccountId,
                finding.Detail);
            return await ReadableAsync(input.AccountId, cancellationToken);
        }
        var deadlineReached = now >= updated.Deadline;
        var operatorsLate = deadlineReached && updated.ObservationOnOperators;
        if (operatorsLate && updated.OperatorsLateEmailFor != input.AttemptId)
        {
            // Not the customer's fault: the verification waits on (the deadline moves on by) the operators' time. The
            // owner is told once (the orchestration sends it); operators are alerted here and by the work list's gauge.
            logger.LogError(
                "ReviewHub's operators are late for the Google Play connection of {AccountId}: waiting on them since " +
                "{Since}, the customer's deadline {Deadline} passed (the setup is not failed): {Finding}",
                input.AccountId, updated.OperatorsWaitingSince, updated.Deadline, finding.Detail);
        }
        return new(PlayCheckState.Waiting, deadlineReached && !updated.ObservationOnOperators, operatorsLate);
    }

    private async Task<PlayCheckResult> ReadableAsync(string accountId, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners)
        {
            await listener.OnReadableAsync(accountId, cancellationToken);
        }
        return new(PlayCheckState.Verified, false);
    }
}
