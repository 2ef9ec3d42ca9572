namespace ReviewHub.Http;

/// <summary>Which failed attempts the outbound retry may repeat.</summary>
internal enum OutboundRetry
{
    /// <summary>408, 429, 5xx, timeouts and network errors: for requests that are safe to repeat (GETs, PUTs, keyed
    /// POSTs).</summary>
    Transient,

    /// <summary>
    /// Only attempts the service certainly did not process: 429 (after its Retry-After) and connections that never
    /// opened. For POSTs that are not idempotent (Slack chat.postMessage, SendGrid mail/send): a timeout or 5xx may
    /// have been acted on, so it fails the call and the caller's own retry decides (delivery's queue and ledger, the
    /// integration email activity).
    /// </summary>
    UnprocessedOnly,
}
