using System.Diagnostics.Metrics;

namespace ReviewHub.Replies;

/// <summary>Reply metrics on the "ReviewHub" meter (exported to Application Insights through OpenTelemetry or the metrics listener).</summary>
public sealed class ReplyMetrics
{
    public const string MeterName = "ReviewHub";

    private readonly Counter<long> sent;
    private readonly Counter<long> failed;
    private readonly Counter<long> published;
    private readonly Counter<long> overdue;
    private readonly Counter<long> requeued;
    private long overdueAtLastCheck;

    public ReplyMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        sent = meter.CreateCounter<long>("reviewhub.replies.sent", "{reply}", "Replies and deletions App Store Connect accepted.");
        failed = meter.CreateCounter<long>("reviewhub.replies.failed", "{reply}", "Replies that ended Failed, by failure code.");
        published = meter.CreateCounter<long>("reviewhub.replies.published", "{reply}", "Replies seen published after moderation.");
        overdue = meter.CreateCounter<long>("reviewhub.replies.overdue", "{reply}", "Replies flagged as still pending past the moderation window.");
        requeued = meter.CreateCounter<long>("reviewhub.replies.requeued", "{reply}", "Queued replies whose message was lost, queued again by the timer.");
        meter.CreateObservableGauge("reviewhub.replies.overdue.pending", () => Interlocked.Read(ref overdueAtLastCheck), "{reply}",
            "Overdue replies still pending at the last moderation check.");
    }

    public void Sent(string action) => sent.Add(1, new KeyValuePair<string, object?>("action", action));

    public void Failed(ReplyFailure code) => failed.Add(1, new KeyValuePair<string, object?>("code", code.ToString()));

    public void Published() => published.Add(1);

    public void FlaggedOverdue() => overdue.Add(1);

    public void Requeued() => requeued.Add(1);

    public void OverduePending(long count) => Interlocked.Exchange(ref overdueAtLastCheck, count);
}
