namespace ReviewHub.Storage;

/// <summary>
/// The retry budget of a handler that re-sends its own message with a delay (rather than relying on the host's
/// immediate dequeue retries): exponential backoff from a base delay, capped, with ±20 % jitter so messages that failed
/// together do not come back together; after the last attempt the message belongs in the poison queue.
/// </summary>
internal static class QueueRetry
{
    /// <summary>The spread around the nominal delay (±20 %).</summary>
    public const double Jitter = 0.2;

    /// <summary>
    /// The delay before the next attempt after attempt <paramref name="failedAttempt"/> (1 = the first) failed, or null
    /// when that was the last of <paramref name="maxAttempts"/>: poison the message.
    /// </summary>
    public static TimeSpan? NextDelay(int failedAttempt, int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay) =>
        failedAttempt >= maxAttempts ? null : Backoff(failedAttempt, baseDelay, maxDelay);

    /// <summary><paramref name="baseDelay"/> doubled per failed attempt after the first, capped at <paramref
    /// name="maxDelay"/>, then jittered.</summary>
    public static TimeSpan Backoff(int failedAttempt, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(failedAttempt - 1, 0, 30));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 - Jitter + Random.Shared.NextDouble() * 2 * Jitter));
    }
}
