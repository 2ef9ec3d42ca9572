namespace ReviewHub.AppStoreConnect;

/// <summary>What went wrong with an App Store Connect call, in terms a feature can act on.</summary>
internal enum AppStoreConnectFailure
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
