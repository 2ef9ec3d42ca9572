namespace ReviewHub.Replies;

/// <summary>What a version of a reply asks for.</summary>
internal enum ReplyAction
{
    /// <summary>Create or overwrite the response (App Store Connect's POST replaces an existing one).</summary>
    Publish,
    Delete,
}
