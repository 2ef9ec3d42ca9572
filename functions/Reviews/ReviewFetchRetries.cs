using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewHub.Http;
using ReviewHub.Storage;

namespace ReviewHub.Reviews;

/// <summary>
/// What happens to a fetch that failed, whatever its source: the schedule shows the error; a long Retry-After defers
/// the message without spending an attempt (up to <c>Reviews__MaxDeferrals</c>); a retryable failure comes back with
/// an exponential backoff (at least <c>Reviews__BudgetWaitDelay</c> when the source's hourly budget is spent); the
/// rest, and a retryable one past <c>Reviews__MaxFetchAttempts</c>, go to <c>review-fetches-poison</c>.
/// </summary>
internal sealed class ReviewFetchRetries(
    FetchScheduler scheduler, IMessageQueue queue, IOptions<ReviewsOptions> options,
    IOptions<OutboundHttpOptions> outbound, ILogger<ReviewFetchRetries> logger)
{
    /// <summary>The longest backoff between two attempts of a failing fetch.</summary>
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    private ReviewsOptions Options => options.Value;

    public async Task<FetchOutcome> RetryOrPoisonAsync(
        ReviewFetchRequest request, string source, ReviewFetchException ex, CancellationToken cancellationToken)
    {
        await scheduler.UpdateAsync(request.AccountId, request.AppId, s =>
        {
            s.LastError = ex.Message;
            return true;
        }, cancellationToken);

        if (ex is { Retryable: true, RetryAfter: { } retryAfter } && request.Deferrals < Options.MaxDeferrals)
        {
            // The service asked for a longer wait than the client spends in process: come back then, attempt not spent.
            var wait = outbound.Value.DeferralFor(retryAfter);
            await queue.SendAsync(ReviewQueues.ReviewFetches,
                request with { Deferrals = request.Deferrals + 1, LastError = ex.Message }, wait, cancellationToken);
            logger.LogWarning(
                "Review fetch of {AccountId}/{AppId} from {Source} is rate limited; resumes in {Delay}: {Error}",
                request.AccountId, request.AppId, source, wait, ex.Message);
            return new FetchOutcome(FetchOutcomeKind.Deferred, source, 0, 0, ex.Message);
        }

        var next = request with { Attempt = request.Attempt + 1, LastError = ex.Message };
        var backoff = ex.Retryable
            ? QueueRetry.NextDelay(next.Attempt, Options.MaxFetchAttempts, Options.RetryBaseDelay, MaxRetryDelay)
            : null;
        if (backoff is not { } delay)
        {
            return await PoisonAsync(request, source, next.Attempt, ex, cancellationToken);
        }
        if (ex.RetryAfter > delay)
        {
            delay = outbound.Value.DeferralFor(ex.RetryAfter.Value);
        }
        if (ex.BudgetSpent && Options.BudgetWaitDelay > delay)
        {
            delay = Options.BudgetWaitDelay; // the hour's budget is spent: retrying sooner only burns attempts
        }
        await queue.SendAsync(ReviewQueues.ReviewFetches, next, delay, cancellationToken);
        logger.LogWarning(
            "Review fetch of {AccountId}/{AppId} from {Source} failed (attempt {Attempt}), " +
            "retrying in {Delay}: {Error}",
            request.AccountId, request.AppId, source, next.Attempt, delay, ex.Message);
        return new FetchOutcome(FetchOutcomeKind.Retrying, source, 0, 0, ex.Message);
    }

    private async Task<FetchOutcome> PoisonAsync(
        ReviewFetchRequest request, string source, int attempts, ReviewFetchException ex,
        CancellationToken cancellationToken)
    {
        // Attempts start again in the poison copy: a replay after the outage gets the full retry budget; LastError
        // keeps the context.
        var poisoned = request with { Attempt = 0, LastError = ex.Message, Deferrals = 0 };
        await queue.SendAsync(PoisonQueues.NameFor(ReviewQueues.ReviewFetches), poisoned,
            cancellationToken: cancellationToken);
        logger.LogError(ex,
            "Review fetch of {AccountId}/{AppId} from {Source} failed after {Attempts} attempts and went to the " +
            "poison queue: {Error}",
            request.AccountId, request.AppId, source, attempts, ex.Message);
        return new FetchOutcome(FetchOutcomeKind.Poisoned, source, 0, 0, ex.Message);
    }
}
