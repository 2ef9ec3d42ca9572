namespace ReviewHub.ReplyAutomation;

/// <summary>
/// Queue message (queue <c>reply-automation</c>): run the app's rules on these new reviews (from ingestion, never for
/// a history import), or on the reviews of the last <paramref name="SinceDays"/> days (asked for through the API).
/// </summary>
internal sealed record ReplyAutomationWork(
    string AccountId, string AppId, IReadOnlyList<string>? ReviewIds, int? SinceDays = null);
