namespace ReviewHub.Delivery;

/// <summary>What happened to a reply, told to the routes that subscribe (docs/delivery.md, "Reply events").</summary>
internal enum ReplyEventKind
{
    /// <summary>App Store Connect accepted the reply; Apple moderates it.</summary>
    Sent,

    /// <summary>Apple shows the reply on the App Store.</summary>
    Published,

    /// <summary>The reply did not get through or was not kept (failure code and reason).</summary>
    Failed,

    /// <summary>Still pending Apple's moderation past <c>Replies__ModerationWindow</c> after it was sent.</summary>
    Overdue,

    /// <summary>The reviewer edited the review after the reply was written.</summary>
    Outdated,
}
