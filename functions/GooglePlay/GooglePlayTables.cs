namespace ReviewHub.GooglePlay;

/// <summary>The tables the Google Play feature owns (its connections); other features ask
/// <see cref="PlayConnectionStore"/>.</summary>
internal static class GooglePlayTables
{
    public const string PlayConnections = "PlayConnections";

    public static readonly IReadOnlyList<string> All = [PlayConnections];
}
