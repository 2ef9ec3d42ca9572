using System.Diagnostics.Metrics;
using ReviewHub.AppStoreConnect;

namespace ReviewHub.Observability;

/// <summary>
/// The app's only custom metrics (meter "ReviewHub", one DI singleton every feature uses), exported to Application
/// Insights' customMetrics table by OpenTelemetry: the instrument name is the customMetrics <c>name</c>. Dimensions
/// stay low-cardinality (source, channel, outcome, state, queue) — never account, app or review ids, which belong in
/// logs. The alerts and the workbook in infra/modules/monitoring.bicep query exactly <see cref="Names.All"/> (a test
/// keeps both in step).
/// </summary>
internal sealed class ReviewHubMetrics
{
    public const string MeterName = "ReviewHub";

    /// <summary>Instrument names as they appear in customMetrics.</summary>
    public static class Names
    {
        public const string ReviewsIngested = "reviewhub.reviews.ingested";
        public const string FetchDuration = "reviewhub.fetch.duration";
        public const string Deliveries = "reviewhub.deliveries";
        public const string RoutesBroken = "reviewhub.routes.broken";
        public const string ReplyEvents = "reviewhub.reply_events";
        public const string Replies = "reviewhub.replies";
        public const string RepliesOverdue = "reviewhub.replies.overdue";
        public const string RepliesOverduePending = "reviewhub.replies.overdue.pending";
        public const string RepliesRequeued = "reviewhub.replies.requeued";
        public const string Integrations = "reviewhub.integrations";
        public const string IntegrationActivationFailures = "reviewhub.integrations.activation_failures";
        public const string IntegrationsOperatorsOverdue = "reviewhub.integrations.operators_overdue";
        public const string AppStoreConnectRateLimitRemaining = "reviewhub.asc.rate_limit.remaining";
        public const string PoisonMessages = "reviewhub.queue.poison_messages";

        public static readonly IReadOnlyList<string> All =
        [
            ReviewsIngested, FetchDuration, Deliveries, RoutesBroken, Replies, RepliesOverdue, RepliesOverduePending,
                RepliesRequeued,
            Integrations, IntegrationActivationFailures, IntegrationsOperatorsOverdue,
                AppStoreConnectRateLimitRemaining, PoisonMessages,
        ];
    }

    /// <summary>Values of the <c>outcome</c> dimension of <see cref="Names.Deliveries"/>.</summary>
    public static class DeliveryOutcomes
    {
        /// <summary>The channel accepted the (review, route) pair.</summary>
        public const string Delivered = "delivered";

        /// <summary>The channel send failed; the pair is released for the queue's retry (or the route broke).</summary>
        public const string Failed = "failed";

        /// <summary>The pair was already delivered or in flight elsewhere (a duplicate or replayed message): nothing
        /// sent.</summary>
        public const string Skipped = "skipped";
    }

    private readonly Counter<long> reviewsIngested;
    private readonly Histogram<double> fetchDuration;
    private readonly Counter<long> deliveries;
    private readonly Counter<long> routesBroken;
    private readonly Counter<long> replyEvents;
    private readonly Counter<long> replies;
    private readonly Counter<long> repliesOverdue;
    private readonly Gauge<long> repliesOverduePending;
    private readonly Counter<long> repliesRequeued;
    private readonly Counter<long> integrations;
    private readonly Counter<long> integrationActivationFailures;
    private readonly Gauge<long> integrationsOperatorsOverdue;
    private readonly Histogram<int> appStoreConnectRateLimitRemaining;
    private readonly Gauge<long> poisonMessages;

    public ReviewHubMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        reviewsIngested = Meter.CreateCounter<long>(
            Names.ReviewsIngested, "{review}", "New reviews stored, by source (feed or asc).");
        fetchDuration = Meter.CreateHistogram<double>(
            Names.FetchDuration, "s", "Duration of one app's review fetch, by source and outcome.");
        deliveries = Meter.CreateCounter<long>(
            Names.Deliveries, "{delivery}", "(review, route) pairs handled by delivery, by channel and outcome.");
        replyEvents = Meter.CreateCounter<long>(Names.ReplyEvents, "{event}",
            "(reply event, route) pairs handled, by channel, event and outcome (delivered, failed, skipped).");
        routesBroken = Meter.CreateCounter<long>(
            Names.RoutesBroken, "{route}", "Routes marked broken (credential or target refused), by channel.");
        replies = Meter.CreateCounter<long>(Names.Replies, "{reply}",
            "Reply versions entering a state (Queued, PendingPublish, Published, Failed, Deleted, Superseded, " +
                "Replaced).");
        repliesOverdue = Meter.CreateCounter<long>(Names.RepliesOverdue, "{reply}",
            "Replies newly flagged as still pending past the moderation window.");
        repliesOverduePending = Meter.CreateGauge<long>(Names.RepliesOverduePending, "{reply}",
            "Replies still pending past the moderation window, counted at each moderation check.");
        repliesRequeued = Meter.CreateCounter<long>(Names.RepliesRequeued, "{reply}",
            "Queued replies whose message was lost, queued again by the timer.");
        integrations = Meter.CreateCounter<long>(Names.Integrations, "{integration}", "Integrations entering a state.");
        integrationActivationFailures = Meter.CreateCounter<long>(Names.IntegrationActivationFailures, "{failure}",
            "Failed tries of an integration activation step (listener or owner email), by step; each is retried.");
        integrationsOperatorsOverdue = Meter.CreateGauge<long>(Names.IntegrationsOperatorsOverdue, "{connection}",
            "Connections waiting on ReviewHub's operators longer than Integrations__OperatorWaitAlertAfter (working " +
                "time), counted by the operator work monitor.");
        // A histogram, not a gauge: its minimum over an interval is the tightest key's headroom, without a per-key
        // dimension.
        appStoreConnectRateLimitRemaining = Meter.CreateHistogram<int>(
            Names.AppStoreConnectRateLimitRemaining, "{request}",
            "Requests left in an App Store Connect key's hourly budget, as seen on each response.");
        poisonMessages = Meter.CreateGauge<long>(Names.PoisonMessages, "{message}",
            "Messages waiting in a poison queue, by queue.");
    }

    /// <summary>The meter behind the instruments (tests listen to this instance only).</summary>
    public Meter Meter { get; }

    /// <param name="source">Where the reviews came from: <c>feed</c> (public App Store feed) or <c>asc</c> (App Store
    /// Connect API).</param>
    public void ReviewsIngested(long count, string source)
    {
        if (count > 0)
        {
            reviewsIngested.Add(count, new KeyValuePair<string, object?>("source", source));
        }
    }

    /// <param name="source">Same values as <see cref="ReviewsIngested"/>.</param>
    /// <param name="outcome">Completed, Deferred (key budget or backfill slice), Retrying, Poisoned, or Error
    /// (unexpected exception).</param>
    public void FetchCompleted(TimeSpan duration, string source, string outcome) =>
        fetchDuration.Record(duration.TotalSeconds, new("source", source), new("outcome", outcome));

    /// <param name="channel">The route's channel (Slack, Email, Zendesk, Freshdesk, Webhook...).</param>
    /// <param name="outcome">One of <see cref="DeliveryOutcomes"/>.</param>
    public void Delivered(string channel, string outcome, long count = 1) =>
        deliveries.Add(count, new("channel", channel), new("outcome", outcome));

    /// <param name="outcome">One of <see cref="DeliveryOutcomes"/>.</param>
    public void ReplyEventDelivered(string channel, string replyEvent, string outcome) =>
        replyEvents.Add(1, new("channel", channel), new("event", replyEvent), new("outcome", outcome));

    public void RouteBroke(string channel) =>
        routesBroken.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public void ReplyEntered<TState>(TState state) where TState : struct, Enum =>
        replies.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));

    public void ReplyFlaggedOverdue() => repliesOverdue.Add(1);

    public void RepliesOverduePending(long count) => repliesOverduePending.Record(count);

    public void ReplyRequeued() => repliesRequeued.Add(1);

    public void IntegrationEntered<TState>(TState state) where TState : struct, Enum =>
        integrations.Add(1, new KeyValuePair<string, object?>("state", state.ToString()));

    /// <param name="step">The activation step that failed: a listener's step name, or <c>ownerEmail</c>.</param>
    public void IntegrationActivationFailed(string step) =>
        integrationActivationFailures.Add(1, new KeyValuePair<string, object?>("step", step));

    public void IntegrationsOperatorsOverdue(long count) => integrationsOperatorsOverdue.Record(count);

    public void AppStoreConnectRateLimitObserved(RateLimit rateLimit) =>
        appStoreConnectRateLimitRemaining.Record(rateLimit.Remaining);

    public void PoisonMessagesWaiting(string queue, long count) =>
        poisonMessages.Record(count, new KeyValuePair<string, object?>("queue", queue));
}
