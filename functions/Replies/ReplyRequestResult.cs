namespace ReviewHub.Replies;

/// <summary>What a user's put or delete did to a reply.</summary>
internal sealed record ReplyRequestResult(ReplyEntity Reply, bool NeedsSend);
