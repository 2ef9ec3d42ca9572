using System.Net;

namespace ReviewHub.AppStoreConnect;

/// <summary>What went wrong with an App Store Connect call, in terms a feature can act on.</summary>
public enum AppStoreConnectFailure
{
    /// <summary>429: the key's hourly budget (or a burst limit) is exhausted. Retry later.</summary>
    RateLimited,
    /// <summary>5xx, timeout or network error. Retry later.</summary>
    Unavailable,
    /// <summary>401: the token was rejected (revoked or wrong key, clock skew).</summary>
    NotAuthorized,
    /// <summary>403 FORBIDDEN_ERROR: the key's roles do not allow this operation.</summary>
    Forbidden,
    /// <summary>403 FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED: the account holder must sign Apple's
    /// agreements.</summary>
    AgreementsMissing,
    /// <summary>404: the resource does not exist (or is not visible to this key).</summary>
    NotFound,
    /// <summary>409/422/400: Apple rejected the request's content.</summary>
    Rejected,
    /// <summary>A 2xx whose body is not the JSON:API document expected.</summary>
    MalformedResponse,
}

/// <summary>An App Store Connect call failed after the HTTP client's own retries; <see cref="IsTransient"/> says
/// whether to try again later.</summary>
public sealed class AppStoreConnectException(
    AppStoreConnectFailure failure, HttpStatusCode? status, string? code, string message, RateLimit? rateLimit = null,
    Exception? inner = null, TimeSpan? retryAfter = null)
    : Exception(message, inner)
{
    public AppStoreConnectFailure Failure { get; } = failure;
    public HttpStatusCode? Status { get; } = status;

    /// <summary>Apple's error code, e.g. ENTITY_ERROR.ATTRIBUTE.INVALID (hierarchical: match by prefix).</summary>
    public string? Code { get; } = code;

    public RateLimit? RateLimit { get; } = rateLimit;

    /// <summary>
    /// The wait Apple asked for (Retry-After: not documented by Apple, honoured when sent). When it is longer than the
    /// client waits in process, the caller defers the work by it.
    /// </summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsTransient => Failure is AppStoreConnectFailure.RateLimited or AppStoreConnectFailure.Unavailable;

    public static AppStoreConnectFailure Classify(HttpStatusCode status, string? code) => (int)status switch
    {
        429 => AppStoreConnectFailure.RateLimited,
        >= 500 => AppStoreConnectFailure.Unavailable,
        401 => AppStoreConnectFailure.NotAuthorized,
        403 when code?.StartsWith("FORBIDDEN.REQUIRED_AGREEMENTS", StringComparison.Ordinal) == true =>
            AppStoreConnectFailure.AgreementsMissing,
        403 => AppStoreConnectFailure.Forbidden,
        404 or 410 => AppStoreConnectFailure.NotFound,
        _ => AppStoreConnectFailure.Rejected,
    };
}
