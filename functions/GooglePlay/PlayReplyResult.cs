namespace ReviewHub.GooglePlay;

/// <summary>What <c>reviews.reply</c> applied: the text as Play stored it (HTML tags stripped) and when.</summary>
internal sealed record PlayReplyResult(string ReplyText, DateTimeOffset LastEdited);
