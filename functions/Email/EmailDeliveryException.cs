using System.Net;
using Polly.CircuitBreaker;
using ReviewHub.Http;

namespace ReviewHub.Email;

/// <summary>The email provider refused or failed a message (after the client's retries of 429s).</summary>
internal sealed class EmailDeliveryException(HttpStatusCode status, string detail, TimeSpan? retryAfter)
    : Exception($"Email provider answered {(int)status}: {detail}")
{
    public HttpStatusCode Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>401/403: the key is wrong, revoked, out of credits or the sender is unverified; retrying will not
    /// help.</summary>
    public bool IsPermanent =>
        Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        or HttpStatusCode.RequestEntityTooLarge;

    /// <summary>
    /// True when a failed send certainly did not hand the message over: SendGrid answered with an error (it takes a
    /// message only with 202), or it was never reached (no connection, open circuit). A timeout or a connection lost
    /// mid-request may have delivered it.
    /// </summary>
    public static bool CertainlyNotSent(Exception exception) =>
        exception is EmailDeliveryException or BrokenCircuitException || OutboundResilience.NeverConnected(exception);
}
