namespace ReviewHub.Integrations;

/// <summary>
/// Where the owner's "connected" email of an attempt stands. It is claimed (<see cref="Sending"/>) before the send, so
/// a retry that finds the claim knows an earlier send may have reached SendGrid and does not send again (at most once).
/// </summary>
internal enum ActivationEmailState
{
    Sending,
    Sent,
    /// <summary>SendGrid refused it for good (key, sender or address); logged, not retried.</summary>
    Refused,
    /// <summary>A send got no answer (timeout, lost connection, crash): it may have arrived; not resent.</summary>
    Unconfirmed,
}
