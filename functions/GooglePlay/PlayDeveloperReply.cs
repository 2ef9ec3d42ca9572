namespace ReviewHub.GooglePlay;

/// <summary>The developer's reply on Play (one per review; replying again overwrites it).</summary>
internal sealed record PlayDeveloperReply(string Text, DateTimeOffset LastModified);
