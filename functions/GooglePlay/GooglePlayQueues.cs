namespace ReviewHub.GooglePlay;

/// <summary>The queues the Google Play feature consumes; the host's poison queue for each is "{name}-poison".</summary>
internal static class GooglePlayQueues
{
    /// <summary>Carries <see cref="PlayConnectionCheckRequest"/>: check one account's Play connection in
    /// force.</summary>
    public const string PlayConnectionChecks = "play-connection-checks";

    public static readonly IReadOnlyList<string> All = [PlayConnectionChecks];
}
