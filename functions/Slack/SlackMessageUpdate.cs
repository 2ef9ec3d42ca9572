namespace ReviewHub.Slack;

/// <summary>Queue message (queue <c>slack-message-updates</c>): show the reply's current state on the review's Slack
/// messages.</summary>
internal sealed record SlackMessageUpdate(string AccountId, string AppId, string ReviewId);
