namespace ReviewHub.Delivery;

/// <summary>The words Slack and Zendesk use for a reply event.</summary>
internal static class ReplyEventText
{
    public static string Line(ReplyEventMessage message) => message.Kind switch
    {
        ReplyEventKind.Sent => "Reply sent to App Store Connect; Apple is reviewing it.",
        ReplyEventKind.Published => "Reply published on the App Store.",
        ReplyEventKind.Failed => $"Reply failed: {message.Reply.FailureReason ?? message.Reply.FailureCode}",
        ReplyEventKind.Overdue => "Reply still not published: Apple's review is taking longer than expected.",
        _ => "The reviewer edited the review after this reply: check that the reply still fits.",
    };
}
