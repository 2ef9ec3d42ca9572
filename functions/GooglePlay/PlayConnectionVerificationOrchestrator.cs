using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace ReviewHub.GooglePlay;

/// <summary>
/// "I've invited" for Google Play: reads the account's Android apps with its service account until Play lets it
/// (permission errors until the grant propagates, which can take many hours), backing off between polls on durable
/// timers, until the customer's deadline (working days, in the business calendar). Then Active and the owner is
/// emailed, or Failed with the reason and the owner emailed; past the deadline while ReviewHub's operators must act it
/// is not failed: the owner is told of the delay once and the polls go on until they act. Deterministic: all I/O in
/// the activities; the deadline is decided by the activities' clock; the only event (<see cref="CancelEvent"/>, a
/// disconnect) is never cancelled.
/// </summary>
internal sealed class PlayConnectionVerificationOrchestrator : TaskOrchestrator<PlayVerification, string>
{
    public const string CancelEvent = "Cancel";

    /// <summary>One instance per account (ids are 32 characters).</summary>
    public static string InstanceIdFor(string accountId) => $"google-play-{accountId}";

    public override async Task<string> RunAsync(TaskOrchestrationContext context, PlayVerification input)
    {
        var logger = context.CreateReplaySafeLogger<PlayConnectionVerificationOrchestrator>();
        // Decisive answers are returned by the activities; what escapes them is transient by design.
        var retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
            input.ActivityMaxAttempts, input.ActivityFirstRetryInterval, backoffCoefficient: 2,
            maxRetryInterval: input.ActivityFirstRetryInterval * 32));
        var cancel = context.WaitForExternalEvent<bool>(CancelEvent);
        var round = input.Round;
        for (var polls = 1; ; polls++)
        {
            var check = await TryCallAsync<PlayCheckResult>(context,
                nameof(PlayConnectionSetupFunctions.CheckPlayGrant), input, retry, logger);
            if (check?.State == PlayCheckState.Gone)
            {
                return nameof(PlayCheckState.Gone);
            }
            if (check?.State == PlayCheckState.Verified)
            {
                await EmailOwnerAsync(context, input, PlayOwnerEmail.Activated, retry, logger);
                return nameof(PlayConnectionStatus.Active);
            }
            if (check?.OperatorsLate == true)
            {
                await EmailOwnerAsync(context, input, PlayOwnerEmail.OperatorsLate, retry, logger);
            }
            if (check?.DeadlineReached == true && await TryCallAsync<bool>(context,
                nameof(PlayConnectionSetupFunctions.FailPlayConnection), input, retry, logger))
            {
                await EmailOwnerAsync(context, input, PlayOwnerEmail.Failed, retry, logger);
                return nameof(PlayConnectionStatus.Failed);
            }

            using var timerCancellation = new CancellationTokenSource();
            var timer = context.CreateTimer(context.CurrentUtcDateTime + input.PollIntervalAfter(round++),
                timerCancellation.Token);
            if (await Task.WhenAny(timer, cancel) == cancel)
            {
#pragma warning disable CA1849 // CancelAsync would run the timer's callbacks off the orchestrator's thread
                timerCancellation.Cancel();
#pragma warning restore CA1849
                return "Cancelled";
            }
            if (polls >= input.RoundsPerExecution)
            {
                // A fresh history every so many polls; the backoff carries on where it was.
                context.ContinueAsNew(input with { Round = round }, preserveUnprocessedEvents: true);
                return "ContinuedAsNew";
            }
        }
    }

    /// <summary>The owner's email, once per attempt; a send that keeps failing is logged, never fails the
    /// verification.</summary>
    private static Task<bool> EmailOwnerAsync(TaskOrchestrationContext context, PlayVerification input,
        PlayOwnerEmail email, TaskOptions retry, ILogger logger) =>
        TryCallAsync<bool>(context, nameof(PlayConnectionSetupFunctions.EmailPlayConnectionOwner),
            new PlayOwnerEmailRequest(input.AccountId, email), retry, logger);

    /// <summary>Calls an activity with the retry policy; after its last attempt fails, logs and returns default so
    /// the polling goes on (Google or storage being down never fails the verification).</summary>
    private static async Task<T?> TryCallAsync<T>(
        TaskOrchestrationContext context, string activity, object input, TaskOptions retry, ILogger logger)
    {
        try
        {
            return await context.CallActivityAsync<T>(activity, input, retry);
        }
        catch (TaskFailedException ex)
        {
            logger.LogWarning("Google Play verification activity {Activity} failed after retries for {InstanceId}: " +
                "{Error}", activity, context.InstanceId, ex.FailureDetails.ErrorMessage);
            return default;
        }
    }
}
