namespace ReviewHub.Apps;

/// <summary>The queues the Apps feature consumes (its triggers bind to them); other features may send it
/// their messages. The host's poison queue for each is "{name}-poison".</summary>
internal static class AppQueues
{
    /// <summary>Carries <see cref="AppRemoval"/>: purge everything of a removed app.</summary>
    public const string AppRemovals = "app-removals";

    public static readonly IReadOnlyList<string> All = [AppRemovals];
}
