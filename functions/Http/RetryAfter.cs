using System.Globalization;
using System.Net.Http.Headers;

namespace ReviewHub.Http;

/// <summary>How long a service asked us to wait before calling again.</summary>
public static class RetryAfter
{
    /// <summary>SendGrid (and others) send no Retry-After on 429, only when the window resets, in epoch seconds.</summary>
    public const string RateLimitResetHeader = "X-RateLimit-Reset";

    /// <summary>
    /// The wait a response asks for: <c>Retry-After</c> in seconds or as an HTTP date, else <c>X-RateLimit-Reset</c> (epoch
    /// seconds); null when it names none. Dates are taken relative to the response's own <c>Date</c> header when it has one,
    /// so a skew between the service's clock and ours does not stretch or shrink the wait. Never negative.
    /// </summary>
    public static TimeSpan? Of(HttpResponseHeaders headers)
    {
        var now = headers.Date ?? DateTimeOffset.UtcNow;
        TimeSpan? wait = headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => headers.TryGetValues(RateLimitResetHeader, out var values)
                && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                    ? DateTimeOffset.FromUnixTimeSeconds(epoch) - now
                    : null,
        };
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
