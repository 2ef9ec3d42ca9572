namespace ReviewHub.Replies;

/// <summary>Why a reply failed, for the SPA to explain and offer the right next step.</summary>
internal enum ReplyFailure
{
    /// <summary>403 FORBIDDEN_ERROR: the integration user's role does not allow replying (needs Admin or Customer
    /// Support).</summary>
    RoleMissing,
    /// <summary>403 FORBIDDEN.REQUIRED_AGREEMENTS_MISSING_OR_EXPIRED: the Account Holder must sign Apple's
    /// agreements.</summary>
    AgreementsMissing,
    /// <summary>400/409/422: Apple rejected the reply's content.</summary>
    Rejected,
    /// <summary>404: the review no longer exists in App Store Connect.</summary>
    ReviewNotFound,
    /// <summary>401: Apple rejected the integration's API key.</summary>
    CredentialRejected,
    /// <summary>The integration's API key is missing from the secret store.</summary>
    CredentialMissing,
    /// <summary>The integration is no longer active, or its kind no longer allows replies.</summary>
    IntegrationInactive,
    /// <summary>429/5xx/timeouts until the retry budget ran out; the message is in the poison queue for operators to
    /// replay.</summary>
    Unavailable,
    /// <summary>The response disappeared from App Store Connect while pending (removed there, or not approved by
    /// Apple).</summary>
    RemovedFromAppStoreConnect,
    /// <summary>
    /// An automatic reply was not sent: someone answered the review in App Store Connect after the rule wrote it.
    /// Automatic replies never overwrite a person's (docs/replies.md, "Never overwriting a person").
    /// </summary>
    AnsweredElsewhere,
}
