using System.Globalization;
using System.Net.Http.Headers;

namespace ReviewHub.Http;

/// <summary>How long a service asked us to wait before calling again.</summary>
internal static class RetryAfter
{
    /// <summary>When the window resets, in epoch seconds: SendGrid names it on 429 instead of Retry-After.</summary>
    public const string RateLimitResetHeader = "X-RateLimit-Reset";

    /// <summary>Requests left in the window; the reset is a wait only when none are.</summary>
    public const string RateLimitRemainingHeader = "X-RateLimit-Remaining";

    /// <summary>
    /// The wait a response asks for: <c>Retry-After</c> in seconds or as an HTTP date, else <c>X-RateLimit-Reset</c>
    /// (epoch seconds) when <c>X-RateLimit-Remaining</c> is 0; null when it names none. Dates are read against the
    /// response's own <c>Date</c> header when it has one, so a skew between the service's clock and ours neither
    /// stretches nor shrinks the wait. Never negative.
    /// </summary>
    public static TimeSpan? Of(HttpResponseHeaders headers)
    {
        var now = headers.Date ?? DateTimeOffset.UtcNow;
        TimeSpan? wait = headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => Number(headers, RateLimitRemainingHeader) == 0 && Number(headers, RateLimitResetHeader) is { } epoch
                ? DateTimeOffset.FromUnixTimeSeconds(epoch) - now
                : null,
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    private static long? Number(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}
