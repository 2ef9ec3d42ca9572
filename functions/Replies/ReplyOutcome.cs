namespace ReviewHub.Replies;

/// <summary>What became of one version of a reply (the audit trail).</summary>
internal enum ReplyOutcome
{
    Queued,
    /// <summary>A newer version replaced it before it was sent: it never reached App Store Connect.</summary>
    Superseded,
    PendingPublish,
    Published,
    /// <summary>It reached the App Store, then a newer version overwrote or deleted it.</summary>
    Replaced,
    Deleted,
    Failed,
}
