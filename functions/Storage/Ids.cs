namespace ReviewHub.Storage;

/// <summary>Identifiers the app generates: 32 lowercase hex characters, safe as table keys and in routes.</summary>
internal static class Ids
{
    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>True for a well-formed generated id; anything else cannot name a row and is answered as not
    /// found.</summary>
    public static bool IsValid(string? id) => id is { Length: 32 }
        && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
