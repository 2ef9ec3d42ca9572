using System.ComponentModel.DataAnnotations;

namespace ReviewHub.Http;

/// <summary>Retry budget of calls to other services and the rule for rate limits (<c>OutboundHttp__*</c>).</summary>
internal sealed class OutboundHttpOptions
{
    public const string Section = "OutboundHttp";

    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest Retry-After a call waits for in process before trying again. A service asking for longer gets no
    /// retry here: its answer goes back to the caller as a rate limit with that Retry-After, and the caller defers the
    /// work through its queue (<see cref="DeferralFor"/>) instead of holding a worker. Far below the 60 s deadline.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:15")]
    public TimeSpan MaxRetryAfterWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest one Retry-After defers a unit of work (storage queues allow 7 days).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxRetryAfterDeferral { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The queue visibility delay of work asked to come back after <paramref name="retryAfter"/>.</summary>
    public TimeSpan DeferralFor(TimeSpan retryAfter) => retryAfter < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1)
        : retryAfter > MaxRetryAfterDeferral ? MaxRetryAfterDeferral : retryAfter;

    /// <summary>True when the response asks to wait over <see cref="MaxRetryAfterWait"/>: not retried here.</summary>
    public bool LeavesToCaller(HttpResponseMessage response) => RetryAfter.Of(response.Headers) > MaxRetryAfterWait;
}
