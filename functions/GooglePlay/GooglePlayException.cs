using System.Net;

namespace ReviewHub.GooglePlay;

/// <summary>What went wrong with a Google Play call, in terms a feature can act on.</summary>
internal enum GooglePlayFailure
{
    /// <summary>429 (or 403 <c>rateLimitExceeded</c>): the package's quota is spent. Retry later.</summary>
    RateLimited,

    /// <summary>5xx, timeout or network error. Retry later.</summary>
    Unavailable,

    /// <summary>The service account's key or token was refused (deleted or rotated key, clock skew).</summary>
    NotAuthorized,

    /// <summary>
    /// The service account has no access to the app: not invited yet, the invitation not yet propagated (hours), or
    /// revoked. Play answers 403 "insufficient permissions", or the older 401 <c>permissionDenied</c>.
    /// </summary>
    PermissionDenied,

    /// <summary>404 <c>applicationNotFound</c>: no such package, or one the service account cannot see.</summary>
    AppNotFound,

    /// <summary>403 <c>accessNotConfigured</c>: the Android Publisher API is off in ReviewHub's project.</summary>
    ApiNotEnabled,

    /// <summary>404 of a review.</summary>
    NotFound,

    /// <summary>400: Play rejected the request's content (e.g. a reply over the limit).</summary>
    Rejected,

    /// <summary>A 2xx whose body is not the document the discovery schema describes.</summary>
    MalformedResponse,
}

/// <summary>A Google Play call failed after the HTTP client's own retries.</summary>
internal sealed class GooglePlayException(
    GooglePlayFailure failure, HttpStatusCode? status, string? reason, string message, Exception? inner = null,
    TimeSpan? retryAfter = null, bool fromTokenEndpoint = false)
    : Exception(message, inner)
{
    public GooglePlayFailure Failure { get; } = failure;

    public HttpStatusCode? Status { get; } = status;

    /// <summary>Google's <c>errors[0].reason</c> (e.g. <c>forbidden</c>), or the token endpoint's <c>error</c>.
    /// </summary>
    public string? Reason { get; } = reason;

    /// <summary>The wait Google (or a proxy) asked for; a caller defers its work by it through its queue.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True when Google's token endpoint failed (the key), not the Play API (the access or the app).</summary>
    public bool FromTokenEndpoint { get; } = fromTokenEndpoint;

    public bool IsTransient => Failure is GooglePlayFailure.RateLimited or GooglePlayFailure.Unavailable;

    /// <summary>Sorts an error answer by status, <c>errors[0].reason</c> and message (google-play-api.md §4, §8).
    /// </summary>
    public static GooglePlayFailure Classify(HttpStatusCode status, string? reason, string? message) =>
        (int)status switch
        {
            429 => GooglePlayFailure.RateLimited,
            >= 500 => GooglePlayFailure.Unavailable,
            403 when reason is "rateLimitExceeded" or "userRateLimitExceeded" or "dailyLimitExceeded" =>
                GooglePlayFailure.RateLimited,
            403 when reason is "accessNotConfigured" or "projectNotLinked" => GooglePlayFailure.ApiNotEnabled,
            401 or 403 when reason == "permissionDenied" || IsInsufficientPermissions(message) =>
                GooglePlayFailure.PermissionDenied,
            401 => GooglePlayFailure.NotAuthorized,
            403 => GooglePlayFailure.PermissionDenied,
            404 when reason is "applicationNotFound"
                || message?.StartsWith("Package not found", StringComparison.Ordinal) == true =>
                GooglePlayFailure.AppNotFound,
            404 or 410 => GooglePlayFailure.NotFound,
            _ => GooglePlayFailure.Rejected,
        };

    private static bool IsInsufficientPermissions(string? message) =>
        message?.Contains("insufficient permissions", StringComparison.OrdinalIgnoreCase) == true
        || message?.Contains("does not have permission", StringComparison.OrdinalIgnoreCase) == true;
}
