namespace ReviewHub.Replies;

/// <summary>
/// Asks the sender to apply version <paramref name="Version"/> of a reply. The message names the version only: the
/// sender reads the body and action from the reply row, so a stale or duplicate message can never send an outdated
/// body.
/// <paramref name="Attempt"/> counts sends through the queue (from 1); <paramref name="LastError"/> is the context kept
/// in the poison queue. The poison copy has <paramref name="Attempt"/> reset to 1, so a replay starts a fresh retry
/// budget; how many attempts it took before is in the reply's failure reason and the log. <paramref name="Deferrals"/>
/// counts the times App Store Connect asked for a long wait (Retry-After): those come back after the wait without
/// spending an attempt, up to a bound.
/// </summary>
internal sealed record ReplySendMessage(
    string AccountId, string AppId, string ReviewId, int Version, int Attempt = 1, string? LastError = null,
    int Deferrals = 0);
