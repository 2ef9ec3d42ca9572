using Microsoft.Azure.Functions.Worker;

namespace ReviewHub.Reviews;

/// <summary>The fetch pipeline's triggers: the timer only enqueues due apps; the queue function fetches one
/// app.</summary>
internal sealed class ReviewFetchFunctions(FetchScheduler scheduler, ReviewFetcher fetcher)
{
    /// <summary>App setting holding the timer's NCRONTAB schedule (a flat name: "%Section:Key%" does not resolve on
    /// every plan).</summary>
    public const string ScheduleSetting = "ReviewFetchSchedule";

    [Function(nameof(EnqueueDueReviewFetches))]
    public Task EnqueueDueReviewFetches([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer,
        CancellationToken cancellationToken) =>
        scheduler.DispatchDueAsync(cancellationToken);

    [Function(nameof(FetchReviews))]
    public Task FetchReviews([QueueTrigger(ReviewQueues.ReviewFetches)] ReviewFetchRequest request,
        CancellationToken cancellationToken) =>
        fetcher.FetchAsync(request, cancellationToken);
}
