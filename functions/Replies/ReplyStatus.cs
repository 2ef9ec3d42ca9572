namespace ReviewHub.Replies;

/// <summary>Where a reply stands, as the SPA shows it (see docs/replies.md).</summary>
internal enum ReplyStatus
{
    /// <summary>Accepted by ReviewHub, waiting to be sent (also between retries after a transient failure).</summary>
    Queued,
    /// <summary>A sender is calling App Store Connect right now.</summary>
    Sending,
    /// <summary>
    /// Held: the app's App Store Connect connection is degraded (the reply's last error says why). Nothing is sent with
    /// its key until the connection works again; then this version is sent, once.
    /// </summary>
    Paused,
    /// <summary>App Store Connect accepted the reply; Apple is moderating it before it appears on the App
    /// Store.</summary>
    PendingPublish,
    /// <summary>Visible on the App Store.</summary>
    Published,
    /// <summary>Not sent or not kept: see the failure code and reason. Writing the reply again retries.</summary>
    Failed,
    /// <summary>The reply was removed (from App Store Connect too, if it had reached it).</summary>
    Deleted,
}
