using System.Diagnostics.Metrics;
using ReviewHub.AppStoreConnect;

namespace ReviewHub.Observability;

/// <summary>
/// The app's custom metrics (meter "ReviewHub"), exported to Application Insights' customMetrics table by OpenTelemetry.
/// Dimensions stay low-cardinality (source, channel, outcome, state, queue) — never account, app or review ids, which
/// belong in logs. The alerts and the workbook in infra/ query these instrument names.
/// </summary>
public sealed class ReviewHubMetrics
{
    public const string MeterName = "ReviewHub";

    /// <summary>Instrument names as they appear in customMetrics.</summary>
    public static class Names
    {
        public const string ReviewsIngested = "reviewhub.reviews.ingested";
        public const string FetchDuration = "reviewhub.fetch.duration";
        public const string Deliveries = "reviewhub.deliveries";
        public const string Replies = "reviewhub.replies";
        public const string RepliesOverdue = "reviewhub.replies.overdue";
        public const string Integrations = "reviewhub.integrations";
        public const string AscRateLimitRemaining = "reviewhub.asc.rate_limit.remaining";
        public const string PoisonMessages = "reviewhub.queue.poison_messages";

        public static readonly IReadOnlyList<string> All =
            [ReviewsIngested, FetchDuration, Deliveries, Replies, RepliesOverdue, Integrations, AscRateLimitRemaining, PoisonMessages];
    }

    private readonly Counter<long> reviewsIngested;
    private readonly Histogram<double> fetchDuration;
    private readonly Counter<long> deliveries;
    private readonly Counter<long> replies;
    private readonly Counter<long> repliesOverdue;
    private readonly Counter<long> integrations;
    private readonly Histogram<int> ascRateLimitRemaining;
    private readonly Gauge<long> poisonMessages;

    public ReviewHubMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        reviewsIngested = Meter.CreateCounter<long>(Names.ReviewsIngested, "{review}", "New reviews stored, by source (feed or api).");
        fetchDuration = Meter.CreateHistogram<double>(Names.FetchDuration, "s", "Duration of one app's review fetch, by source and outcome.");
        deliveries = Meter.CreateCounter<long>(Names.Deliveries, "{delivery}", "Review deliveries, by channel and outcome.");
        replies = Meter.CreateCounter<long>(Names.Replies, "{reply}", "Replies entering a state (Queued, PendingPublish, Published, Failed...).");
        repliesOverdue = Meter.CreateCounter<long>(Names.RepliesOverdue, "{reply}", "Replies flagged as still pending past the promised window.");
        integrations = Meter.CreateCounter<long>(Names.Integrations, "{integration}", "Integrations entering a state.");
        // A histogram, not a gauge: its minimum over an interval is the tightest key's headroom, without a per-key dimension.
        ascRateLimitRemaining = Meter.CreateHistogram<int>(Names.AscRateLimitRemaining, "{request}",
            "Requests left in an App Store Connect key's hourly budget, as seen on each response.");
        poisonMessages = Meter.CreateGauge<long>(Names.PoisonMessages, "{message}", "Messages waiting in a poison queue, by queue.");
    }

    /// <summary>The meter behind the instruments (tests listen to this instance only).</summary>
    public Meter Meter { get; }

    /// <param name="source">Where the reviews came from: "feed" (public App Store feed) or "api" (App Store Connect).</param>
    public void ReviewsIngested(long count, string source) =>
        reviewsIngested.Add(count, new KeyValuePair<string, object?>("source", source));

    /// <param name="outcome">"succeeded", "failed" or "throttled".</param>
    public void FetchCompleted(TimeSpan duration, string source, string outcome) =>
        fetchDuration.Record(duration.TotalSeconds, new("source", source), new("outcome", outcome));

    /// <param name="channel">"slack", "email", "zendesk", "webhook"...</param>
    /// <param name="outcome">"delivered", "retried", "failed", "skipped"...</param>
    public void DeliveryCompleted(string channel, string outcome, long count = 1) =>
        deliveries.Add(count, new("channel", channel), new("outcome", outcome));

    public void ReplyEntered<TState>(TState state) where TState : struct, Enum =>
        replies.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));

    public void RepliesFlaggedOverdue(long count) => repliesOverdue.Add(count);

    public void IntegrationEntered<TState>(TState state) where TState : struct, Enum =>
        integrations.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));

    public void AscRateLimitObserved(RateLimit rateLimit) => ascRateLimitRemaining.Record(rateLimit.Remaining);

    public void PoisonMessagesWaiting(string queue, long count) =>
        poisonMessages.Record(count, new KeyValuePair<string, object?>("queue", queue));
}
