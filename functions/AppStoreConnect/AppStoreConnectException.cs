using System.Net;

namespace ReviewHub.AppStoreConnect;

/// <summary>An App Store Connect call failed after the HTTP client's own retries; <see cref="IsTransient"/> says
/// whether to try again later.</summary>
internal sealed class AppStoreConnectException(
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
