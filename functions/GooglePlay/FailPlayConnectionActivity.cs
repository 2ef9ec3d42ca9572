using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace ReviewHub.GooglePlay;

/// <summary>
/// The customer's deadline passed without a grant: Failed, with the reason taken from what Play last answered. Not
/// while operators must act (their time moves the deadline on), and not before the deadline by this activity's clock.
/// True when the row is Failed for this attempt (also when a retry finds it so).
/// </summary>
internal sealed class FailPlayConnectionActivity(
    PlayConnectionStore store, TimeProvider clock, ILogger<FailPlayConnectionActivity> logger)
    : TaskActivity<PlayVerification, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, PlayVerification input) =>
        ExecuteAsync(input, CancellationToken.None);

    public async Task<bool> ExecuteAsync(PlayVerification input, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (await store.GetAsync(input.AccountId, cancellationToken) is
            { StatusValue: PlayConnectionStatus.Failed } failed && failed.AttemptId == input.AttemptId)
        {
            return true;
        }
        var row = await store.UpdateAttemptAsync(input.AccountId, input.AttemptId, r =>
        {
            if (!r.ObservationOnOperators && now >= r.Deadline)
            {
                r.Status = nameof(PlayConnectionStatus.Failed);
                r.FailureReason = "No Google Play grant reached ReviewHub by the deadline " +
                    $"({r.Deadline:yyyy-MM-dd HH:mm} UTC). {r.LastObservation ?? "Google Play could not be reached."}";
            }
        }, cancellationToken);
        if (row?.StatusValue != PlayConnectionStatus.Failed)
        {
            return false;
        }
        logger.LogInformation("Google Play connection of {AccountId} failed: {Reason}", input.AccountId,
            row.FailureReason);
        return true;
    }
}
