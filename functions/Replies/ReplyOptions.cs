using System.ComponentModel.DataAnnotations;

namespace ReviewHub.Replies;

/// <summary>Reply sending and moderation tracking, bound from <c>Replies__*</c>.</summary>
internal sealed class ReplyOptions
{
    public const string Section = "Replies";

    /// <summary>Apple's longest reply (the limit App Store Connect's UI enforces).</summary>
    public const int MaxBodyLength = 5970;

    /// <summary>Send attempts per version (each after the HTTP client's own quick retries) before the message goes to
    /// the poison queue.</summary>
    [Range(1, 20)]
    public int MaxSendAttempts { get; set; } = 5;

    /// <summary>Delay before the second attempt through the queue; it doubles for each further attempt (with
    /// jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest delay between two attempts (Azure Storage queues accept at most 7 days).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often a version may be deferred by App Store Connect's Retry-After without spending an attempt; after that a
    /// rate limit counts as a failed attempt like any other transient failure.
    /// </summary>
    [Range(0, 100)]
    public int MaxDeferrals { get; set; } = 10;

    /// <summary>How long a sender holds a reply while it calls App Store Connect; longer than the client's total
    /// timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:30:00")]
    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A reply still queued this long after its last change or due retry lost its message: the timer queues it
    /// again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan StaleQueuedAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long Apple's moderation may take before a pending reply is flagged overdue (Apple and peers cite up
    /// to 12 h).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan ModerationWindow { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often one pending reply is re-read from App Store Connect.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ModerationCheckInterval { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Pending replies checked in parallel by one timer run.</summary>
    [Range(1, 64)]
    public int ModerationParallelism { get; set; } = 4;

    /// <summary>
    /// Due index entries one timer run reads and checks at most, so a run stays far inside the function timeout however
    /// many replies are in flight; the rest stay due and are taken by the next runs (checked entries move to their next
    /// check).
    /// </summary>
    [Range(1, 100_000)]
    public int ModerationMaxChecksPerRun { get; set; } = 2000;
}
