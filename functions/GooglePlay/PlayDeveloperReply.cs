namespace ReviewHub.GooglePlay;

/// <summary>The developer's reply on Play (one per review; replying again overwrites it).</summary>
public sealed record PlayDeveloperReply(string Text, DateTimeOffset LastModified);
